package dev.easel.engine.loading;

import dev.easel.engine.EngineException;
import dev.easel.engine.io.AtomicFile;
import dev.easel.engine.io.Folders;
import dev.easel.engine.io.Sha256;
import dev.easel.engine.io.UserCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the model called {@code default} lives ({@code %load_model default}, {@code --model default}).
 *
 * <p>The default model is the small SD 1.x-shaped model Easel trains itself ({@code train-base}) and ships inside
 * the engine jar, in diffusers layout under {@value #RESOURCE}. The pipeline loads from folders, so the first use
 * copies it out into the user's cache ({@link UserCache}), into a folder named after its content hash: a new build
 * with a retrained model gets a new folder and an old one is never half-overwritten. The environment variable {@code EASEL_DEFAULT_MODEL} or the
 * system property {@code easel.default.model} point {@code default} at another diffusers folder instead.
 */
public final class DefaultModel {

    public static final String NAME = "default";

    /** Class-path folder of the shipped model; {@value #INDEX} lists its files as {@code sha256sum} prints them. */
    static final String RESOURCE = "/dev/easel/engine/default-model/";

    static final String INDEX = "SHA256SUMS";

    private static final System.Logger LOG = System.getLogger(DefaultModel.class.getName());
    /** Cached copies checked in this process: the check runs on the first use only. */
    private static final Set<Path> VERIFIED = ConcurrentHashMap.newKeySet();

    private DefaultModel() {}

    /** True when {@code nameOrPath} asks for the default model. */
    public static boolean isDefault(String nameOrPath) {
        return NAME.equalsIgnoreCase(nameOrPath.strip());
    }

    /**
     * The default model's folder: the one configured, else the shipped model copied into the cache.
     *
     * @throws EngineException one line saying what is missing and what to do
     */
    public static Path path() {
        Optional<Path> configured = configured();
        if (configured.isPresent()) {
            Path folder = configured.get();
            if (!Files.isRegularFile(folder.resolve("model_index.json"))) {
                throw new EngineException("the default model is set to " + folder + " (EASEL_DEFAULT_MODEL or"
                        + " easel.default.model), which has no model_index.json; point it at a diffusers folder");
            }
            return folder;
        }
        return shipped();
    }

    /**
     * True when {@code folder} is the default model's folder — the configured one, or the shipped model's copy in the
     * cache. Unlike {@link #path()} it copies nothing, so asking about any model loaded costs no copy-out.
     */
    public static boolean isDefaultFolder(Path folder) {
        try {
            Path expected = configured().orElseGet(() -> UserCache.folder().resolve(shippedFolderName(index())));
            return Files.isSameFile(folder, expected);
        } catch (IOException | RuntimeException e) {
            return false; // no such folder (not copied out yet, or no model shipped): not the default model
        }
    }

    private static Optional<Path> configured() {
        return Optional.ofNullable(System.getenv("EASEL_DEFAULT_MODEL"))
                .or(() -> Optional.ofNullable(System.getProperty("easel.default.model")))
                .map(Path::of);
    }

    /** The shipped model, copied out of the jar once per content hash. */
    static Path shipped() {
        List<Entry> entries = index();
        Path cache = UserCache.folder();
        String name = shippedFolderName(entries);
        Path folder = cache.resolve(name);
        if (Files.isRegularFile(folder.resolve("model_index.json"))) {
            if (VERIFIED.add(folder)) {
                repairDamaged(folder, entries);
            }
            return folder;
        }
        Path temporary =
                cache.resolve("." + name + ".partial-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(temporary);
            for (Entry entry : entries) {
                copyVerified(entry, temporary.resolve(entry.path()));
            }
            try {
                Files.move(temporary, folder, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException another) {
                // Another process copied it out at the same time; its copy is identical.
                Folders.deleteTree(temporary);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + cache + " cannot rename atomically", e);
            }
            return folder;
        } catch (IOException e) {
            try {
                Folders.deleteTree(temporary);
            } catch (IOException ignored) {
                // A leftover partial folder is hidden and never mistaken for the model.
            }
            throw new UncheckedIOException(
                    "could not copy the default model into " + cache + ": " + e.getMessage()
                            + "; make it writable or set easel.cache to a writable folder",
                    e);
        }
    }

    /**
     * Checks each file of a copy made earlier against the index (7.8 MB of SHA-256: tens of milliseconds, once per
     * process) and copies a damaged or missing file out of the jar again. A cached file overwritten by something else
     * would otherwise load silently and draw another picture.
     */
    private static void repairDamaged(Path folder, List<Entry> entries) {
        for (Entry entry : entries) {
            Path file = folder.resolve(entry.path());
            try {
                if (Files.isRegularFile(file) && entry.sha256().equals(Sha256.of(file))) {
                    continue;
                }
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the cached default model file " + file
                                + " is damaged or missing; copying it out of the jar again");
                AtomicFile.replace(file, temporary -> copyVerified(entry, temporary));
            } catch (IOException e) {
                VERIFIED.remove(folder);
                throw new UncheckedIOException(
                        "the cached default model file " + file + " is damaged and could not" + " be repaired ("
                                + e.getMessage() + "); delete " + folder + " and try again",
                        e);
            }
        }
    }

    /** For tests: the next use checks the cached copy again, as a new process would. */
    static void forgetVerifiedCopies() {
        VERIFIED.clear();
    }

    /** {@code default-model-<hash>}: named by the index, so a jar with another model gets another folder. */
    private static String shippedFolderName(List<Entry> entries) {
        return "default-model-"
                + Sha256.of(String.join("\n", entries.stream().map(Entry::line).toList()))
                        .substring(0, 16);
    }

    /** One line of the index: a file's SHA-256 and its path in the model folder. */
    private record Entry(String sha256, String path, String line) {}

    private static List<Entry> index() {
        try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE + INDEX)) {
            if (in == null) {
                throw new EngineException("this build of Easel has no default model (" + RESOURCE + INDEX
                        + " is missing); load a model by its path, or set EASEL_DEFAULT_MODEL to a diffusers folder");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .map(line -> {
                        String[] parts = line.split(" +\\*?", 2);
                        return new Entry(parts[0], parts[1].replaceFirst("^\\./", ""), line);
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the default model's index " + RESOURCE + INDEX, e);
        }
    }

    private static void copyVerified(Entry entry, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        MessageDigest digest = Sha256.digest();
        try (InputStream resource = DefaultModel.class.getResourceAsStream(RESOURCE + entry.path())) {
            if (resource == null) {
                throw new IOException(entry.path() + " is listed in " + INDEX + " but not in the jar");
            }
            Files.copy(new DigestInputStream(resource, digest), target);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(entry.sha256())) {
            throw new IOException(entry.path() + " in the jar is damaged (SHA-256 " + actual + ", expected "
                    + entry.sha256() + "); rebuild or re-download Easel");
        }
    }
}
