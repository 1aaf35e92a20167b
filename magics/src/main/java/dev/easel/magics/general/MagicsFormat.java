package dev.easel.magics.general;

/** Small formatting helpers shared by the magics' reports. */
public final class MagicsFormat {

    private MagicsFormat() {}

    /** Bytes as MiB or GiB, e.g. {@code 812 MiB}, {@code 3.2 GiB}. */
    public static String mib(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        double mib = bytes / (1024.0 * 1024.0);
        return mib >= 1024 ? String.format("%.1f GiB", mib / 1024) : String.format("%.0f MiB", mib);
    }
}
