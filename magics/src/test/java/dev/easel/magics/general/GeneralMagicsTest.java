package dev.easel.magics.general;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.magics.Captured;
import dev.easel.magics.CellParser;
import dev.easel.magics.CellPart;
import dev.easel.magics.JShellContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.Magics;
import dev.easel.notebook.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneralMagicsTest {

    static JShellContext context;
    static Path notebookDir;
    final Magics magics = Magics.load(getClass().getClassLoader());

    @BeforeAll
    static void startJShell(@TempDir Path dir) {
        notebookDir = dir;
        context = new JShellContext(dir);
    }

    @AfterAll
    static void stopJShell() {
        context.close();
    }

    private String run(String cell) throws Exception {
        return Captured.out(() -> magics.runCell(cell, context));
    }

    private String error(String cell) {
        return assertThrows(MagicException.class, () -> magics.runCell(cell, context))
                .getMessage();
    }

    @Test
    void timeReportsWallAndCpuForJavaAndMagics() throws Exception {
        String line = run("%time Thread.sleep(120)");
        var m = java.util.regex.Pattern.compile(
                        "Wall time: ([\\d.]+) (ms|s) · CPU time: [\\d.]+ (µs|ms|s) " + "\\(process, all threads\\)")
                .matcher(line);
        assertTrue(m.find(), line);
        double wallMs = Double.parseDouble(m.group(1)) * (m.group(2).equals("s") ? 1000 : 1);
        assertTrue(wallMs >= 120, line);
        String cell = run("%%time\nint timedX = 6 * 7;\nSystem.out.println(\"x=\" + timedX);\n%env HOME");
        assertTrue(cell.contains("x=42"), cell);
        assertTrue(cell.contains(System.getenv("HOME")), cell);
        assertTrue(cell.contains("Wall time:"), cell);
        assertEquals("%time needs code to time, e.g. %time Thread.sleep(100)", error("%time"));
    }

    @Test
    void timeShowsTheValueAfterItsTimingAsIPythonDoes() throws Exception {
        String line = run("%time 6 * 7");
        assertTrue(line.matches("(?s)Wall time: .*\\R42\\R"), line);
        String cell = run("%%time\n\"first\"\n%env HOME\n\"last\"");
        assertTrue(cell.matches("(?s)\"first\"\\R.*" + System.getenv("HOME") + ".*Wall time: .*\\R\"last\"\\R"), cell);
        assertEquals("42\n", run("6 * 7").replace("\r", "")); // a cell without %time shows its value as before
    }

    @Test
    void classpathAddsACompiledFolderToTheCells() throws Exception {
        Path src = notebookDir.resolve("src/demo/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(
                src,
                "package demo; public class Greeter { public static String hi() { return \"hi from a folder\"; } }");
        Path classes = notebookDir.resolve("classes");
        Files.createDirectories(classes);
        assertEquals(
                0,
                ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()));

        String out = run("%classpath classes");
        assertTrue(out.contains("Added 1 path to the class path"), out);
        assertEquals("\"hi from a folder\"", context.evalJava("demo.Greeter.hi()"));
        assertTrue(run("%classpath classes").contains("(1 already there)"));
        assertTrue(run("%classpath").contains(classes.toString()));
        assertTrue(error("%classpath nowhere/x.jar").startsWith("%classpath: no such file or folder "));
        assertTrue(error("%classpath nowhere/*.jar").startsWith("%classpath: no folder "));
    }

    @Test
    void envListsShowsAndSets() throws Exception {
        assertEquals(System.getenv("PATH") + "\n", run("%env PATH"));
        assertTrue(run("%env").contains("PATH="));
        assertEquals("env: EASEL_TEST_VAR=some value\n", run("%env EASEL_TEST_VAR='some value'"));
        assertEquals("some value", Environment.get("EASEL_TEST_VAR").orElseThrow());
        assertEquals(
                "environment variable EASEL_NOT_SET_X is not set (%env EASEL_NOT_SET_X=VALUE sets it)",
                error("%env EASEL_NOT_SET_X"));
        assertEquals("'1abc' is not a variable name: use letters, digits and _", error("%env 1abc=2"));
    }

    @Test
    void engineShowsDevicesThreadsMemoryAndModels() throws Exception {
        String report = run("%engine");
        assertTrue(report.contains("Engine:      DJL 0.35.1 · PyTorch 2.7.1"), report);
        assertTrue(report.contains("Devices:     cpu ("), report);
        assertTrue(report.matches("(?s).*Threads:     \\d+ intra-op, \\d+ inter-op.*"), report);
        assertTrue(report.contains("JVM heap:"), report);
        assertTrue(report.matches("(?s).*Process RSS: \\d+.*"), report);
        assertTrue(report.contains("Models:"), report);
    }

    @Test
    void mavenResolvesFromMavenCentralAndAddsTheJars() throws Exception {
        String out = run("%maven org.apache.commons:commons-lang3:3.14.0");
        assertTrue(out.contains("commons-lang3-3.14.0.jar"), out);
        assertTrue(
                context.added.stream().anyMatch(p -> p.endsWith("commons-lang3-3.14.0.jar")), context.added.toString());
        assertEquals("\"cba\"", context.evalJava("org.apache.commons.lang3.StringUtils.reverse(\"abc\")"));
        assertEquals(
                "'commons-lang3' is not group:artifact:version, e.g. org.apache.commons:commons-lang3:3.14.0",
                error("%maven commons-lang3"));
        String missing = error("%maven org.apache.commons:commons-lang3:0.0.0-does-not-exist");
        assertTrue(
                missing.startsWith("%maven could not resolve org.apache.commons:commons-lang3:0.0.0-does-not-exist: "),
                missing);
        assertTrue(!missing.contains("\n"), missing);
    }

    @Test
    void cellsMixJavaAndMagicsInOrder() {
        List<CellPart> parts = CellParser.parse("int a = 1;\n%env HOME\nint b = 2;");
        assertEquals(3, parts.size());
    }
}
