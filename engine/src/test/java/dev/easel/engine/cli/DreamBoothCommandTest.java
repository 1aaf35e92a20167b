package dev.easel.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dreambooth}'s bad input: one line each, exit 2 for a bad value given, 1 for a broken file. */
class DreamBoothCommandTest {

    @TempDir
    Path folder;

    @Test
    void aFolderWithoutImagesIsABadValueAndABrokenImageABrokenFile() throws IOException {
        Path instances = Files.createDirectories(folder.resolve("instances"));
        Path output = folder.resolve("out");
        String err = GenerationCommandsTest.stderrOf(() -> assertEquals(2, run(instances, output)));
        assertEquals(
                "dreambooth: no images in " + instances + "; put 3–20 PNG or JPEG pictures of the subject" + " there",
                err);
        Files.writeString(instances.resolve("broken.png"), "this is not a PNG");
        err = GenerationCommandsTest.stderrOf(() -> assertEquals(1, run(instances, output)));
        assertEquals(
                "dreambooth: " + instances.resolve("broken.png") + " is not a readable image (PNG, JPEG, BMP or"
                        + " GIF); remove it or convert it",
                err);
    }

    private static int run(Path instances, Path output) {
        return new DreamBoothCommand()
                .run(List.of(
                        "--model",
                        "default",
                        "--instance-dir",
                        instances.toString(),
                        "--instance-prompt",
                        "a photo of sks shape",
                        "--output",
                        output.toString(),
                        "--steps",
                        "1"));
    }
}
