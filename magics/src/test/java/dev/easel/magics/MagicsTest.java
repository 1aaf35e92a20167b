package dev.easel.magics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MagicsTest {

    private final Magics magics = Magics.load(getClass().getClassLoader());

    private static CellPart.MagicCall line(String text) {
        return (CellPart.MagicCall) CellParser.parse(text).get(0);
    }

    @Test
    void serviceLoaderFindsTheGeneralMagics() {
        List<String> names = magics.all().stream().map(Magic::name).toList();
        assertTrue(
                names.containsAll(List.of("lsmagic", "time", "maven", "classpath", "env", "engine")), names.toString());
    }

    @Test
    void unknownMagicNamesTheClosest() {
        MagicException e = assertThrows(MagicException.class, () -> magics.run(line("%tme 1+1"), null));
        assertEquals("unknown magic %tme — did you mean %time? (%lsmagic lists them all)", e.getMessage());
        MagicException far = assertThrows(MagicException.class, () -> magics.run(line("%%qqqqqqqqq"), null));
        assertEquals("unknown magic %%qqqqqqqqq (%lsmagic lists them all)", far.getMessage());
    }

    @Test
    void helpWithQuestionMarkOrDashDashHelp() throws Exception {
        String byQuestion = Captured.out(() -> magics.run(line("%maven?"), null));
        String byFlag = Captured.out(() -> magics.run(line("%maven --help"), null));
        assertEquals(byQuestion, byFlag);
        assertTrue(byQuestion.startsWith("%maven [options] [COORDINATES…]"), byQuestion);
        assertTrue(byQuestion.contains("--repo URL"), byQuestion);
    }

    @Test
    void lsmagicListsEveryMagicWithItsSummary() throws Exception {
        String listing = Captured.out(() -> magics.run(line("%lsmagic"), null));
        for (Magic magic : magics.all()) {
            assertTrue(listing.contains(magic.summary()), magic.name());
        }
        assertTrue(listing.contains("%time, %%time"), listing);
    }

    @Test
    void lineOrCellMismatchIsAOneLineError() {
        assertEquals(
                "%lsmagic is a line magic, not a cell magic: write %lsmagic args on one line",
                assertThrows(MagicException.class, () -> magics.run(line("%%lsmagic\nbody"), null))
                        .getMessage());
    }

    @Test
    void completesNamesOptionsAndValues() {
        assertEquals(List.of("%maven"), magics.complete("%mav", 4));
        assertEquals(List.of("%%time"), magics.complete("%%ti", 4));
        assertEquals(List.of("--repo"), magics.complete("%maven --re", 11));
        assertTrue(magics.complete("%maven --", 9).contains("--help"));
        assertEquals(List.of(), magics.complete("int x = 1;", 3));
    }

    @Test
    void completesChoicesAfterAnOption() {
        magics.register(new dev.easel.magics.spec.SpecMagic() {
            @Override
            protected dev.easel.magics.spec.MagicSpec declare() {
                return dev.easel.magics.spec.MagicSpec.magic("pick", "Pick")
                        .option(dev.easel.engine.options.Option.choice(
                                "device", List.of("cpu", "gpu"), "cpu", "where"));
            }

            @Override
            protected void run(dev.easel.magics.spec.ParsedArgs args, CellPart.MagicCall call, MagicContext context) {}
        });
        assertEquals(List.of("cpu", "gpu"), magics.complete("%pick --device ", 15));
        assertEquals(List.of("gpu"), magics.complete("%pick --device g", 16));
        assertEquals(List.of("--device=gpu"), magics.complete("%pick --device=g", 16));
        assertEquals(List.of("\"gpu"), magics.complete("%pick --device \"g", 17), "after an opening quote too");
    }

    @Test
    void completesFilesAndFoldersWhereAValueIsAPath(@TempDir Path notebook) throws Exception {
        Files.createDirectories(notebook.resolve("subject/inner"));
        Files.createDirectories(notebook.resolve("sweeps"));
        Files.createDirectories(notebook.resolve(".ipynb_checkpoints"));
        Files.writeString(notebook.resolve("subject/s0.png"), "");
        Files.writeString(notebook.resolve("sd.safetensors"), "");
        magics.register(new dev.easel.magics.spec.SpecMagic() {
            @Override
            protected dev.easel.magics.spec.MagicSpec declare() {
                return dev.easel.magics.spec.MagicSpec.magic("train", "Train")
                        .option(dev.easel.engine.options.Option.string("instance-dir", "DIR", null, "images"))
                        .option(dev.easel.engine.options.Option.string("init", "PATH_OR_VARIABLE", null, "start"))
                        .option(dev.easel.engine.options.Option.flag("flip", "flip"))
                        .optionalPositional("PATH", "a model");
            }

            @Override
            protected void run(dev.easel.magics.spec.ParsedArgs args, CellPart.MagicCall call, MagicContext context) {}
        });
        assertEquals(List.of("subject/", "sweeps/"), complete("%train --instance-dir s", notebook), "folders only");
        assertEquals(List.of("subject/inner/", "subject/s0.png"), complete("%train --init subject/", notebook));
        assertEquals(List.of("\"subject/"), complete("%train --instance-dir \"su", notebook));
        assertEquals(List.of("--init=sd.safetensors"), complete("%train --init=sd.", notebook));
        assertEquals(
                List.of("sd.safetensors", "subject/", "sweeps/"),
                complete("%train --flip ", notebook),
                "after a flag: the positional PATH, hidden folders left out");
        assertEquals(List.of(".ipynb_checkpoints/"), complete("%train .", notebook));
        assertEquals(List.of(), complete("%train --init nowhere/x", notebook));
    }

    private List<String> complete(String line, Path workingDirectory) {
        return magics.complete(line, line.length(), workingDirectory);
    }
}
