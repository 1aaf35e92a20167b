package dev.easel.kernel.base;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Easel's version, as Maven filtered it into {@code easel-version.properties}. */
public final class Version {

    private static final String VERSION = load();

    private Version() {}

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/easel-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
