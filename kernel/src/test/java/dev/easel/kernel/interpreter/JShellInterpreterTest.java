package dev.easel.kernel.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.display.MimeBundle;
import dev.easel.magics.Bindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JShellInterpreterTest {

    static JShellInterpreter interpreter;

    static class Recorder implements Interpreter.CellOutput {
        final List<MimeBundle> results = new ArrayList<>();
        final List<Interpreter.ErrorInfo> errors = new ArrayList<>();

        @Override
        public void result(MimeBundle value) {
            results.add(value);
        }

        @Override
        public void error(Interpreter.ErrorInfo error) {
            errors.add(error);
        }
    }

    @BeforeAll
    static void start() {
        interpreter = new JShellInterpreter(JShellInterpreterTest.class.getClassLoader());
    }

    @AfterAll
    static void stop() {
        interpreter.close();
    }

    static Recorder run(String code) {
        Recorder recorder = new Recorder();
        Optional<Interpreter.ErrorInfo> error = interpreter.execute(code, recorder);
        assertEquals(error.isPresent(), !recorder.errors.isEmpty(), "the returned error was also shown");
        return recorder;
    }

    @Test
    void printfAsTheLastExpressionShowsOnlyWhatItPrinted() {
        assertEquals(List.of(), run("System.out.printf(\"%d%%%n\", 50);").results);
        assertEquals(List.of(), run("System.err.format(\"x%n\")").results);
        String other = run("new PrintStream(new ByteArrayOutputStream()).append('x')")
                .results
                .get(0)
                .plainText();
        assertTrue(other.startsWith("java.io.PrintStream@"), other); // any other stream is a value like any other
    }

    @Test
    void arraysShowTheirElements() {
        assertEquals(
                "int[3] { 1, 2, 3 }", run("new int[] {1, 2, 3}").results.get(0).plainText());
        run("class Cell { public String toString() { return \"cell\"; } }");
        assertEquals(
                "Cell[1] { cell }",
                run("new Cell[] {new Cell()}").results.get(0).plainText());
    }

    @Test
    void timeShowsTheValueAfterItsTiming() {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        List<String> printedBeforeResult = new ArrayList<>();
        Recorder cell = new Recorder() {
            @Override
            public void result(MimeBundle value) {
                printedBeforeResult.add(printed.toString());
                super.result(value);
            }
        };
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            interpreter.execute("%time 6 * 7", cell);
        } finally {
            System.setOut(original);
        }
        assertEquals("42", cell.results.get(0).plainText());
        assertTrue(printedBeforeResult.get(0).startsWith("Wall time: "), printedBeforeResult.toString());
    }

    @Test
    void warmUpLeavesNothingCellsCanSee() {
        interpreter.warmUp();
        assertEquals(List.of(), interpreter.complete("$easel", 6).matches());
        Recorder use = run("int w = $easelWarmUp;");
        assertTrue(use.errors.get(0).evalue().contains("cannot find symbol"), use.errors.toString());
    }

    @Test
    void lastExpressionIsRenderedFromTheObjectItself() {
        Recorder strings = run("\"hello, \" + \"world\"");
        assertEquals(List.of(), strings.errors);
        assertEquals("hello, world", strings.results.get(0).plainText());
        Recorder image = run("new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB)");
        assertTrue(image.results.get(0).data().containsKey(MimeBundle.PNG), image.results.toString());
        run("int answer = 42;");
        assertEquals("42", run("answer").results.get(0).plainText());
    }

    @Test
    void aDisplayHandleAsLastValueShowsNothingMore() {
        assertTrue(run("display(\"shown once\")").results.isEmpty());
    }

    @Test
    void declarationsShowNoValue() {
        assertTrue(run("int declared = 1;").results.isEmpty());
        assertTrue(run("void nothing() { }").results.isEmpty());
    }

    @Test
    void cellsSeeTheKernelsOwnClasses() {
        run("dev.easel.magics.Bindings.put(\"from-cell\", new StringBuilder(\"same\"));");
        Object value = Bindings.take("from-cell");
        assertEquals(StringBuilder.class, value.getClass(), "a cell made an object of the kernel's own class");
        assertEquals("same", value.toString());
    }

    @Test
    void multiSnippetCellsAndRedefinition() {
        Recorder cell = run("int twice(int x) { return 2 * x; }\nint base = 5;\ntwice(base)");
        assertEquals("10", cell.results.get(0).plainText());
        run("int twice(int x) { return 3 * x; }");
        assertEquals("15", run("twice(base)").results.get(0).plainText());
    }

    @Test
    void importsThatMakeJShellRedeclareAVariableKeepItsValue() {
        // How a magic binds a variable: a fully qualified declaration whose value is handed over, not re-computable.
        dev.easel.magics.Bindings.put("kept", new dev.easel.display.HTML("model"));
        run("dev.easel.display.HTML handedOver = (dev.easel.display.HTML) dev.easel.magics.Bindings.take(\"kept\");");
        int number = 42;
        run("int answer = " + number + ";");
        // A cell of imports makes JShell re-declare earlier variables; their fields would start over at null and 0.
        run("import java.awt.Color;\nimport java.awt.RenderingHints;\nimport java.awt.image.BufferedImage;\n"
                + "import javax.imageio.ImageIO;\nimport tech.tablesaw.api.*;");
        assertEquals("model", run("handedOver.html()").results.get(0).plainText());
        assertEquals("42", run("answer").results.get(0).plainText());
    }

    @Test
    void onlyTheNewestExpressionTemporaryIsKeptUnlessACellUsesIt() {
        run("\"one\"");
        String one = newestTemporary();
        run("int usesOne = " + one + ".length();");
        for (int i = 0; i < 5; i++) {
            run("\"cell \" + " + i);
        }
        String newest = newestTemporary();
        assertEquals(java.util.Set.of(one, newest), temporaries(), "older temporaries no cell uses are dropped");
        assertEquals("cell 4", run(newest).results.get(0).plainText());
        // An import makes JShell recompile variables' initializers: one naming a dropped temporary would be lost.
        run("import java.awt.Color;");
        assertEquals("3", run("usesOne").results.get(0).plainText());
        assertEquals("one", run(one).results.get(0).plainText());
        String dropped = String.join(
                "\n",
                run("$" + (Integer.parseInt(newest.substring(1)) - 1))
                        .errors
                        .get(0)
                        .traceback());
        assertTrue(dropped.contains("only the newest expression value"), dropped);
        // An expression that throws leaves no temporary behind.
        assertEquals(1, run("Integer.parseInt(\"not a number\")").errors.size());
        assertEquals(newest, newestTemporary());
    }

    @Test
    void aFrontendsUserExpressionDoesNotTakeTheCellsTemporary() throws Exception {
        run("\"the cell's value\"");
        java.util.Set<String> before = temporaries();
        String cells = newestTemporary();
        assertEquals(
                "from a frontend",
                interpreter.evaluate("\"from a \" + \"frontend\"").plainText());
        assertEquals(before, temporaries());
        assertEquals("the cell's value", run(cells).results.get(0).plainText());
    }

    @Test
    void aDroppedTemporaryNoLongerHoldsItsValue() throws InterruptedException {
        run("java.lang.ref.WeakReference<?>[] probe = new java.lang.ref.WeakReference<?>[1];");
        run(
                "StringBuilder tracked(StringBuilder value) { probe[0] = new java.lang.ref.WeakReference<>(value); return value; }");
        run("tracked(new StringBuilder(\"an expression's value\"))");
        run("\"the next expression\"");
        assertCollected("probe[0]");
    }

    @Test
    void aVariableDeclaredAgainLetsItsOldValueGo() throws InterruptedException {
        run("java.lang.ref.WeakReference<?>[] firstVersion = new java.lang.ref.WeakReference<?>[1];");
        run(
                "StringBuilder remembered(StringBuilder value) { firstVersion[0] = new java.lang.ref.WeakReference<>(value); "
                        + "return value; }");
        run("var edited = remembered(new StringBuilder(\"first version\"));");
        run("var edited = new StringBuilder(\"second version\");"); // the cell, edited and run again
        assertEquals("second version", run("edited").results.get(0).plainText());
        assertCollected("firstVersion[0]");
        // The same cell run twice, and a variable JShell re-declares for an import, keep their values.
        run("var rerun = new StringBuilder(\"kept\");");
        run("var rerun = new StringBuilder(\"kept\");");
        run("import java.awt.Point;");
        assertEquals("kept", run("rerun").results.get(0).plainText());
    }

    @Test
    void aCellThatBreaksEarlierDeclarationsSaysSoAndTheValueComesBack() {
        try (JShellInterpreter own = new JShellInterpreter(JShellInterpreterTest.class.getClassLoader())) {
            own.execute("var list = List.of(4, 5);\nint size() { return list.size(); }", new Recorder());
            java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
            java.io.PrintStream realErr = System.err;
            System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                own.execute("import java.awt.*;", new Recorder()); // java.awt.List against java.util.List
            } finally {
                System.setErr(realErr);
            }
            String warnings = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(
                    warnings.contains("made variable list unusable: reference to List is ambiguous: both ")
                            && warnings.contains("java.awt.List in java.awt")
                            && warnings.contains("(its value is kept"),
                    warnings);
            assertTrue(warnings.contains("made method size() unusable: it needs variable list"), warnings);
            Recorder later = new Recorder();
            own.execute("list", later); // javac says only "cannot find symbol"
            String error = String.join("\n", later.errors.get(0).traceback());
            assertTrue(
                    error.contains("note: variable list is declared but unusable: reference to List is ambiguous"),
                    error);
            own.execute("import java.util.List;", new Recorder());
            Recorder back = new Recorder();
            own.execute("size() + \" \" + list", back);
            assertEquals("2 [4, 5]", back.results.get(0).plainText());
        }
    }

    /** Collects garbage until the referent of the cell expression {@code reference} is gone (fails after a second). */
    private static void assertCollected(String reference) throws InterruptedException {
        String check = reference + ".get() == null";
        for (int i = 0; i < 20 && !run(check).results.get(0).plainText().equals("true"); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals("true", run(check).results.get(0).plainText(), reference + " is still reachable");
    }

    /** The temporaries in scope, as completion offers them. */
    private static java.util.Set<String> temporaries() {
        return interpreter.complete("$", 1).matches().stream()
                .filter(name -> name.matches("\\$\\d+"))
                .collect(java.util.stream.Collectors.toSet());
    }

    private static String newestTemporary() {
        return temporaries().stream()
                .max(java.util.Comparator.comparingInt(name -> Integer.parseInt(name.substring(1))))
                .orElseThrow();
    }

    @Test
    void compileErrorsMarkTheSpan() {
        Recorder cell = run("int ok = 1;\nint bad = \"text\";");
        Interpreter.ErrorInfo error = cell.errors.get(0);
        assertEquals("CompilationError", error.ename());
        String traceback = String.join("\n", error.traceback());
        assertTrue(traceback.contains("line 2"), traceback);
        assertTrue(traceback.contains("^^^^^^"), traceback);
        String unknown =
                String.join("\n", run("notDeclaredAnywhere + 1").errors.get(0).traceback());
        assertTrue(unknown.contains("symbol:   variable notDeclaredAnywhere"), unknown);
        assertFalse(unknown.contains("location: class"), "JShell's wrapper class is not named, so no line for it");
    }

    @Test
    void aRecordConstructorWithoutPublicSaysWhatToWrite() {
        String refused = String.join(
                "\n",
                run("record Range(int lo, int hi) {\n"
                                + "  Range { if (lo > hi) throw new IllegalArgumentException(); }\n}")
                        .errors
                        .get(0)
                        .traceback());
        assertTrue(refused.contains("write public Range(…) or, compact, public Range { … }"), refused);
        run("record Range(int lo, int hi) {\n  public Range { if (lo > hi) throw new IllegalArgumentException(); }\n}");
        assertEquals("Range[lo=1, hi=2]", run("new Range(1, 2)").results.get(0).plainText());
    }

    @Test
    void aJshellCommandIsNamedAsOne() {
        String vars = String.join("\n", run("/vars").errors.get(0).traceback());
        assertTrue(vars.contains("note: /vars is a command of the jshell tool, not Java"), vars);
        String commented = String.join(
                "\n", run("/* a comment */ int x = \"s\";").errors.get(0).traceback());
        assertTrue(commented.contains("incompatible types"), commented);
        assertFalse(commented.contains("jshell tool"), commented);
    }

    @Test
    void exceptionsShowCellLinesWithoutJShellFrames() {
        Recorder cell = run("void explode() {\n  throw new IllegalStateException(\"boom\");\n}\nexplode();");
        Interpreter.ErrorInfo error = cell.errors.get(0);
        assertEquals("IllegalStateException", error.ename());
        assertEquals("boom", error.evalue());
        String traceback = String.join("\n", error.traceback());
        assertTrue(traceback.contains("explode (cell line 2)"), traceback);
        assertFalse(traceback.contains("jdk.jshell"), traceback);
        assertFalse(traceback.contains("jdk.internal.reflect"), traceback);
    }

    @Test
    void exceptionsDoNotNameJShellsWrapperClasses() {
        Interpreter.ErrorInfo npe =
                run("String nothing = null;\nnothing.length()").errors.get(0);
        assertEquals("Cannot invoke \"String.length()\" because \"nothing\" is null", npe.evalue());
        run("class ShapeError extends RuntimeException { ShapeError(String m) { super(m); } }");
        Interpreter.ErrorInfo own =
                run("throw new ShapeError(\"64 is not 48\");").errors.get(0);
        assertEquals("ShapeError", own.ename());
        assertTrue(
                own.traceback().get(0).contains("ShapeError: 64 is not 48")
                        && !own.traceback().get(0).contains("JShell"),
                own.traceback().get(0));
        run("class Widget { }");
        String shown = run("new Widget()").results.get(0).plainText();
        assertTrue(shown.startsWith("Widget@"), "as jshell shows it: " + shown);
    }

    @Test
    void systemExitFailsTheCellOnly() {
        Recorder cell = run("System.out.println(\"before\"); System.exit(3);");
        assertEquals("SystemExit", cell.errors.get(0).ename());
        assertEquals("2", run("1 + 1").results.get(0).plainText());
    }

    @Test
    void stackOverflowAndOutOfMemoryAreCellErrors() {
        assertEquals(
                "StackOverflowError",
                run("int down(int n) { return down(n + 1) + 1; }\ndown(0);")
                        .errors
                        .get(0)
                        .ename());
        assertEquals(
                "OutOfMemoryError",
                run("long[][] hog = new long[100_000][]; for (int i = 0; i < hog.length; i++) hog[i] = new long[1_000_000];")
                        .errors
                        .get(0)
                        .ename());
        run("hog = null;");
        assertEquals("2", run("1 + 1").results.get(0).plainText());
    }

    @Test
    void interruptStopsABusySnippetLoopAndKeepsState() throws Exception {
        run("int survivor = 11;");
        Thread interrupter = new Thread(() -> {
            sleep(500);
            interpreter.interrupt();
        });
        interrupter.start();
        long start = System.nanoTime();
        Recorder cell = run("long n = 0; while (true) { n++; }");
        assertEquals("Interrupted", cell.errors.get(0).ename());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 3_000);
        assertEquals("11", run("survivor").results.get(0).plainText());
    }

    @Test
    void libraryCodeIsLetToStopAtItsNextStepNotKilledMidStep() throws Exception {
        CooperativeWork.started = false;
        Thread interrupter = new Thread(() -> {
            while (!CooperativeWork.started) { // on a loaded machine compiling the cell can take longer than 300 ms
                sleep(10);
            }
            sleep(300);
            interpreter.interrupt();
        });
        interrupter.start();
        Recorder cell = run("dev.easel.kernel.interpreter.CooperativeWork.run(100, 200);");
        assertEquals("Interrupted", cell.errors.get(0).ename());
        assertTrue(CooperativeWork.stoppedBetweenSteps, "the step was cut short instead of finishing");
        assertTrue(CooperativeWork.stepsDone < 100);
    }

    @Test
    void aMagicThatStopsOnTheInterruptStillBindsWhatItMade() throws Exception {
        // As %dreambooth: the training stops at its step boundary, then the magic binds the model and the run.
        interpreter.magics().register(new dev.easel.magics.Magic() {
            public String name() {
                return "train_until_interrupted";
            }

            public String summary() {
                return "test";
            }

            public String help() {
                return "test";
            }

            public void run(dev.easel.magics.CellPart.MagicCall call, dev.easel.magics.MagicContext context) {
                CooperativeWork.stepsDone = 0;
                while (!Thread.currentThread().isInterrupted()) {
                    CooperativeWork.run(1, 20);
                }
                Thread.interrupted(); // handled, as the training loop does
                context.bind("trained", String.class, "model");
                context.bind("trained_run", String.class, "run");
            }
        });
        Thread interrupter = new Thread(() -> {
            sleep(300);
            interpreter.interrupt();
        });
        interrupter.start();
        Recorder cell = run("%train_until_interrupted");
        assertEquals(
                "Interrupted", cell.errors.get(0).ename(), cell.errors.get(0).evalue());
        sleep(JShellInterpreter.GRACE_MILLIS + 300); // past the moment the kernel would stop a snippet by force
        assertEquals(
                "model run", run("trained + \" \" + trained_run").results.get(0).plainText());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void unknownMagicIsAOneLineError() {
        Interpreter.ErrorInfo error = run("%nosuchmagic 1 2").errors.get(0);
        assertEquals("MagicError", error.ename());
        assertEquals(1, error.traceback().size());
        assertTrue(error.evalue().contains("unknown magic %nosuchmagic"), error.evalue());
    }

    @Test
    void isComplete() {
        assertEquals("complete", interpreter.isComplete("1 + 1").status());
        assertEquals(
                "complete", interpreter.isComplete("int a = 1;\nint b = 2;").status());
        assertEquals("incomplete", interpreter.isComplete("void f() {").status());
        assertEquals("    ", interpreter.isComplete("void f() {").indent());
        assertEquals("incomplete", interpreter.isComplete("int y = (1 +").status());
        assertEquals("invalid", interpreter.isComplete("int x = ;").status());
        assertEquals("invalid", interpreter.isComplete(")").status());
    }

    @Test
    void completionAnywhereInTheCell() {
        Interpreter.Completion completion = interpreter.complete("int a = 1;\nMath.ab", 18);
        assertEquals(java.util.Set.of("abs(", "absExact("), java.util.Set.copyOf(completion.matches()));
        assertEquals(16, completion.cursorStart());
        Interpreter.Completion middle = interpreter.complete("Math.fl + 1;\nint z = 2;", 7);
        assertTrue(middle.matches().contains("floor("), middle.matches().toString());
        assertEquals("function", middle.types().get(0).get("type"));
    }

    @Test
    void inspectWithTheCursorAtTheEndOrInside() {
        assertTrue(interpreter.inspect("Math.abs", 8, 0).orElseThrow().contains("abs("));
        assertTrue(interpreter.inspect("Math.abs(-1)", 6, 0).orElseThrow().contains("abs("));
        run("String inspected = \"x\";");
        assertTrue(interpreter.inspect("inspected", 9, 0).orElseThrow().contains("String"));
    }

    @Test
    void inspectingAVariableShowsItsValue() {
        run("int[] inspectedArray = {4, 5};");
        String shown = interpreter.inspect("inspectedArray", 14, 0).orElseThrow();
        assertTrue(shown.contains("int[]") && shown.contains("value: int[2] { 4, 5 }"), shown);
        run("String longText = \"y\".repeat(5_000);");
        String cut = interpreter.inspect("longText", 8, 0).orElseThrow();
        assertTrue(cut.endsWith(" …") && cut.length() < 1_200, cut.length() + " chars");
        run("class Broken { public String toString() { throw new IllegalStateException(\"no text\"); } }");
        run("Broken broken = new Broken();");
        assertTrue(interpreter.inspect("broken", 6, 0).orElseThrow().contains("Broken"));
    }

    @Test
    void inspectShowsTheJavadocOfTheNotebookApi() {
        String load = interpreter.inspect("Easel.load", 10, 0).orElseThrow();
        assertTrue(load.contains("Model Easel.load(String pathOrDefault, String device, String dtype)"), load);
        assertTrue(load.contains("a diffusers folder (with model_index.json)"), "Easel's sources are found: " + load);
        assertFalse(load.contains("{@code"), "inline tags rendered: " + load);
        assertTrue(
                interpreter
                        .inspect("int a = 1;\n%txt2img --steps 4 a cat", 14, 0)
                        .orElseThrow()
                        .contains("--sampler"),
                "a magic's line shows the magic's help");
        String cfg = interpreter
                .inspect("Easel.model(\"x\").txt2img(\"y\").cfg", 36, 0)
                .orElseThrow();
        assertTrue(cfg.contains("Classifier-free guidance scale"), cfg);
    }

    @Test
    void inspectInsideTheParenthesesOfACallShowsWhatIsCalled() {
        String typing = "Easel.model(\"x\").txt2img(\"y\").cfg(";
        String called = interpreter.inspect(typing, typing.length(), 0).orElseThrow();
        assertTrue(called.contains("Classifier-free guidance scale"), called);
        String arguments = "Math.max(Math.abs(-2), \"(\".length() /* ) */)";
        String max = interpreter.inspect(arguments, arguments.length() - 1, 0).orElseThrow();
        assertTrue(max.contains("max(") && !max.contains("abs("), max);
        String inner =
                interpreter.inspect(arguments, "Math.max(Math.abs(".length(), 0).orElseThrow();
        assertTrue(inner.contains("abs(") && !inner.contains("max("), inner);
        assertTrue(interpreter.inspect("1 + (2", 6, 0).isEmpty(), "a parenthesis that is no call");
    }

    // ------------------------------------------------------------------------------- what the reliability probe found

    @Test
    void runtimeHaltAndExitFailTheCellInsteadOfKillingTheKernel() {
        Recorder halt = run("Runtime.getRuntime().halt(1);");
        assertEquals("SystemExit", halt.errors.get(0).ename());
        assertTrue(
                halt.errors.get(0).evalue().startsWith("Runtime.halt(1) was called"),
                halt.errors.get(0).evalue());
        // a call after a switch (padded instructions) in a method, and Runtime.exit
        run("int leave(int k) { switch (k) { case 1: return 1; case 2: return 4; case 9: return 81; default:"
                + " Runtime.getRuntime().exit(k); return 0; } }");
        assertEquals("81", run("leave(9)").results.get(0).plainText());
        assertEquals(
                "Runtime.exit(5) was called; the kernel keeps running (restart it to start afresh)",
                run("leave(5)").errors.get(0).evalue());
        assertEquals("2", run("1 + 1").results.get(0).plainText());
    }

    @Test
    void aStackOverflowShowsItsRepeatingFrameOnceWithACount() {
        List<String> trace = run("int deeper(int n) { return deeper(n + 1) + 1; }\ndeeper(0);")
                .errors
                .get(0)
                .traceback();
        assertTrue(trace.size() < 20, "not 1,024 identical lines: " + trace.size());
        assertTrue(
                trace.stream().anyMatch(line -> line.matches("    … [\\d,]+ more of the same")),
                String.join("\n", trace));
    }

    @Test
    void completionSeesWhatEarlierLinesOfTheCellDeclare() {
        String cell = "String s = \"abc\";\ns.len";
        Interpreter.Completion completion = interpreter.complete(cell, cell.length());
        assertEquals(List.of("length()"), completion.matches());
        assertEquals(cell.length() - 3, completion.cursorStart());
        String classes = "record Point(int x, int y) { }\nvar p = new Point(1, 2);\np.";
        assertTrue(interpreter.complete(classes, classes.length()).matches().contains("x()"));
    }

    @Test
    void twoQuestionMarksShowMoreThanOne() {
        run("int twice(int x) { return 2 * x; }");
        String brief = interpreter.inspect("twice", 5, 0).orElseThrow();
        String detailed = interpreter.inspect("twice", 5, 1).orElseThrow();
        assertTrue(detailed.startsWith(brief), detailed);
        assertTrue(detailed.contains("declared in a cell:\nint twice(int x) { return 2 * x; }"), detailed);
        String type = interpreter.inspect("String", 6, 1).orElseThrow();
        assertTrue(type.contains("from: module java.base"), type);
        assertTrue(type.contains("  int length()"), type);
        assertFalse(interpreter.inspect("String", 6, 0).orElseThrow().contains("public members"));
    }

    static final CellThreadGroup CELLS = new CellThreadGroup();

    /** Runs a cell as the kernel does: on a thread of its {@link CellThreadGroup}. */
    static Recorder runInCellThread(String code) throws Exception {
        java.util.concurrent.ExecutorService shell =
                java.util.concurrent.Executors.newSingleThreadExecutor(CELLS.factory("test-shell"));
        try {
            return shell.submit(() -> run(code)).get();
        } finally {
            shell.shutdown();
        }
    }

    static String stderrWhile(java.util.concurrent.Callable<?> action, String awaited) throws Exception {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            action.call();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!err.toString().contains(awaited) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            System.setErr(original);
        }
        return err.toString();
    }

    @Test
    void aBackgroundThreadsExceptionIsReportedOnStderr() throws Exception {
        String err = stderrWhile(
                () -> runInCellThread(
                        "new Thread(() -> { throw new IllegalStateException(\"lost in the background\"); }, \"worker\").start();"),
                "lost in the background");
        assertTrue(
                err.contains("Exception in thread \"worker\" java.lang.IllegalStateException: lost in the background"),
                err);
    }

    @Test
    void aBackgroundThreadThatOutlivesItsCellIsReportedWhenItDies() throws Exception {
        // Not in a CellThreadGroup: the handler given after the snippet (JDK 25's way) reports it on its own.
        String err = stderrWhile(
                () -> run("new Thread(() -> { try { Thread.sleep(300); } catch (InterruptedException e) { }"
                        + " throw new IllegalArgumentException(\"died later\"); }, \"late\").start();"),
                "died later");
        assertTrue(err.contains("Exception in thread \"late\" java.lang.IllegalArgumentException: died later"), err);
    }

    @Test
    void aBackgroundThreadsSystemExitEndsOnlyThatThread() throws Exception {
        String err =
                stderrWhile(() -> runInCellThread("new Thread(() -> System.exit(4), \"quitter\").start();"), "quitter");
        assertTrue(err.contains("In thread \"quitter\": System.exit(4) was called; the kernel keeps running"), err);
        assertEquals("2", run("1 + 1").results.get(0).plainText());
    }

    @Test
    void interruptingACellLeavesEarlierCellsBackgroundThreadsAlone() throws Exception {
        run("volatile boolean backgroundInterrupted = false;");
        run("Thread background = new Thread(() -> { try { Thread.sleep(120_000); } catch (InterruptedException e) {"
                + " backgroundInterrupted = true; } }); background.start();");
        Thread interrupter = new Thread(() -> {
            sleep(500);
            interpreter.interrupt();
        });
        interrupter.start();
        assertEquals(
                "Interrupted",
                run("long spins = 0; while (true) { spins++; }").errors.get(0).ename());
        sleep(200);
        assertEquals("false", run("backgroundInterrupted").results.get(0).plainText());
        assertEquals("true", run("background.isAlive()").results.get(0).plainText());
        run("background.interrupt();");
    }
}
