package dev.easel.kernel.install;

import dev.easel.kernel.protocol.Json;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Writes and removes {@code kernels/<name>/kernel.json} (plus logos) in a Jupyter data directory. The kernel runs
 * as {@code java <jvm args> -jar easel.jar kernel {connection_file}}, or with {@code -cp} when Easel runs from a
 * class path rather than the jar (tests).
 */
public final class KernelSpecInstaller {

    /**
     * The class a kernelspec without the jar starts ({@code -cp … MAIN_CLASS}). Named, not referenced: the installer
     * sits below the entry point, which lists it as a subcommand (MainTest checks the name).
     */
    public static final String MAIN_CLASS = "dev.easel.kernel.Main";

    /** The default heap: room for notebook work; Stable Diffusion's tensors live off-heap in PyTorch. */
    public static final String DEFAULT_HEAP = "-Xmx2g";

    /**
     * Always passed: no AWT window system; a modest initial heap (the JVM's default is 1/64 of the machine's memory,
     * gigabytes on a big box) and the serial collector returning free heap to the OS — a notebook kernel idles
     * most of the time and should stay small. A later --jvm-arg overrides any of them.
     *
     * <p>96 MB, not less: JShell and javac hold ~45 MB once a kernel has started, and a heap that starts smaller
     * grows in steps, each a full collection (measured with -Xms32m: five in a kernel's first seconds, 46–126 ms each,
     * while the first cells run; with 96 MB none). Idle memory: 180–187 MiB against 166 with 32 MB.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-Djava.awt.headless=true",
            "-Xms96m",
            "-XX:+UseSerialGC",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30");

    /**
     * The kernel's environment. {@code MALLOC_ARENA_MAX=2}: every cell runs on a new thread, glibc hands new threads
     * new malloc arenas, and each arena keeps the memory PyTorch freed in it — measured here, a kernel grew ~17 MB a
     * cell over twelve cells of 30 generations each; with two arenas it stays flat, generation ~1% slower.
     * {@code THP_MEM_ALLOC_ENABLE=1}: libtorch's large allocations get huge pages (a full-size UNet step 1.7× faster
     * here, see {@code HugePages.enableInLibTorch}, which sets it for a process started without it — at ~130 ms of
     * start-up a kernel need not pay).
     */
    public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2", "THP_MEM_ALLOC_ENABLE", "1");

    /**
     * For a JDK 23 or later: classgraph (under Tablesaw) frees its buffers with {@code sun.misc.Unsafe}, and from JDK 24
     * the JVM prints four lines of warning about it into the kernel's log when a notebook first makes a {@code Table}
     * — nothing a user can act on. JDK 23 introduced this option; older JVMs refuse to start with it.
     */
    static final String ALLOW_UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=allow";

    /** {@code JAVA_VERSION="17.0.15"} in a JDK's {@code release} file. */
    private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+).*\"");

    /** Lets {@code JavadocSources} give JShell Easel's sources. */
    static final String OPEN_JSHELL = "--add-opens=jdk.jshell/jdk.jshell=ALL-UNNAMED";

    /** What to install. {@code classPath} null means "the jar Easel runs from". */
    public record Spec(String name, String displayName, String java, List<String> jvmArgs, String classPath) {}

    private KernelSpecInstaller() {}

    public static Path install(Path kernelsDir, Spec spec) throws IOException {
        Path dir = kernelsDir.resolve(spec.name());
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("argv", argv(spec));
        json.put("display_name", spec.displayName());
        json.put("language", "java");
        json.put("interrupt_mode", "message");
        json.put("env", ENVIRONMENT);
        json.put("metadata", Map.of("debugger", false));
        Files.writeString(
                dir.resolve("kernel.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        ImageIO.write(logo(32), "png", dir.resolve("logo-32x32.png").toFile());
        ImageIO.write(logo(64), "png", dir.resolve("logo-64x64.png").toFile());
        return dir;
    }

    /**
     * Records the kernelspec's class-data archive ({@link ClassDataArchive}, beside kernel.json) and adds it to the
     * kernel's command line: the JVM then maps the classes a kernel start needs instead of loading them.
     *
     * @return false (and the kernelspec unchanged) when the archive could not be made
     */
    public static boolean addClassDataArchive(Path specDir, Spec spec) throws IOException {
        Path archive = specDir.resolve(ClassDataArchive.FILE_NAME);
        if (!ClassDataArchive.record(archive, argv(spec))) {
            return false;
        }
        List<String> jvmArgs = new ArrayList<>(spec.jvmArgs());
        jvmArgs.add(ClassDataArchive.USE_OPTION + archive);
        install(specDir.getParent(), new Spec(spec.name(), spec.displayName(), spec.java(), jvmArgs, spec.classPath()));
        return true;
    }

    /** Removes the kernelspec; false when there was none. */
    public static boolean uninstall(Path kernelsDir, String name) throws IOException {
        Path dir = kernelsDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.walk(dir)) {
            for (Path path :
                    files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
        return true;
    }

    static List<String> argv(Spec spec) {
        List<String> argv = new ArrayList<>();
        argv.add(spec.java());
        if (spec.jvmArgs().stream().noneMatch(arg -> arg.startsWith("-Xmx"))) {
            argv.add(DEFAULT_HEAP);
        }
        argv.addAll(DEFAULT_JVM_OPTIONS);
        if (featureVersion(spec.java()).orElse(0) >= 23) {
            argv.add(ALLOW_UNSAFE_MEMORY_ACCESS);
        }
        argv.addAll(spec.jvmArgs());
        if (spec.classPath() != null) {
            argv.add(OPEN_JSHELL); // what easel.jar's manifest says with Add-Opens
            argv.add("-cp");
            argv.add(spec.classPath());
            argv.add(MAIN_CLASS);
        } else {
            argv.add("-jar");
            argv.add(runningJar().toString());
        }
        argv.add("kernel");
        argv.add("{connection_file}");
        return argv;
    }

    /**
     * The feature version of the JDK whose {@code bin/java} is {@code java} (17 for 17.0.15), from the
     * {@code release} file in its home; empty when there is none to read (a bare {@code java} from the PATH).
     */
    static OptionalInt featureVersion(String java) {
        try {
            Path home = Path.of(java).toRealPath().getParent().getParent();
            for (String line : Files.readAllLines(home.resolve("release"))) {
                Matcher version = JAVA_VERSION.matcher(line);
                if (version.matches()) {
                    return OptionalInt.of(Integer.parseInt(version.group(1)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not a JDK laid out as usual: no version-dependent options
        }
        return OptionalInt.empty();
    }

    /** The jar this code runs from. */
    static Path runningJar() {
        try {
            Path location = Path.of(KernelSpecInstaller.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (!Files.isRegularFile(location)) {
                throw new IllegalArgumentException("Easel is not running from its jar (" + location
                        + "); build it with 'mvn package' and run java -jar kernel/target/easel.jar install");
            }
            return location.toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The java binary running now. */
    public static String currentJava() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** A small easel-and-canvas logo, drawn rather than shipped. */
    static BufferedImage logo(int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        float s = size / 32f;
        g.setColor(new Color(0x8B5A2B));
        g.setStroke(new BasicStroke(2.2f * s, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.drawLine(Math.round(16 * s), Math.round(3 * s), Math.round(7 * s), Math.round(30 * s));
        g.drawLine(Math.round(16 * s), Math.round(3 * s), Math.round(25 * s), Math.round(30 * s));
        g.setColor(new Color(0xF4F1E8));
        g.fillRect(Math.round(5 * s), Math.round(6 * s), Math.round(22 * s), Math.round(16 * s));
        g.setColor(new Color(0xE76F51));
        g.fillOval(Math.round(8 * s), Math.round(9 * s), Math.round(9 * s), Math.round(9 * s));
        g.setColor(new Color(0x2A9D8F));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(10 * s)));
        g.drawString("J", Math.round(18 * s), Math.round(19 * s));
        g.dispose();
        return image;
    }
}
