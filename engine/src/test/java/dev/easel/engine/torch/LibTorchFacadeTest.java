package dev.easel.engine.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** DJL's JniUtils is reached through {@link LibTorch} only, so seeding stays with {@link Randomness}. */
class LibTorchFacadeTest {

    /** Spelled in two parts, so this file does not name it. */
    private static final String JNI_UTILS = "ai.djl.pytorch.jni." + "JniUtils";

    @Test
    void onlyTheFacadeCallsJniUtils() throws IOException {
        List<String> callers;
        try (Stream<Path> files =
                Stream.concat(Files.walk(Path.of("src/main/java")), Files.walk(Path.of("src/test/java")))) {
            callers = files.filter(
                            f -> f.toString().endsWith(".java") && !f.endsWith(Path.of("torch", "LibTorch.java")))
                    .filter(f -> read(f).contains(JNI_UTILS))
                    .map(Path::toString)
                    .toList();
        }
        assertEquals(List.of(), callers, "call LibTorch (or Randomness for seeds) instead");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
