package dev.easel.kernel.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.kernel.display.KernelDisplaySink;
import dev.easel.kernel.history.HistoryStore;
import dev.easel.kernel.interpreter.Interpreter;
import dev.easel.kernel.interpreter.KernelInput;
import dev.easel.kernel.interpreter.OutputCapture;
import dev.easel.kernel.protocol.Channel;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Header;
import dev.easel.kernel.protocol.Json;
import dev.easel.kernel.protocol.Message;
import dev.easel.kernel.protocol.MessageType;
import dev.easel.kernel.protocol.Request;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's handlers against a {@link FakeInterpreter}: the protocol's rules (execute_input, counts, silent,
 * store_history, stop_on_error, user_expressions, code-point cursors, history, interrupt) checked message by message,
 * in milliseconds and without sockets or JShell — as almond tests its kernel. The Python suites
 * (KernelIntegrationTest, JupyterKernelConformanceTest) check the same end to end.
 */
class HandlersTest {

    @TempDir
    Path dir;

    record Sent(Channel channel, Message message) {
        String type() {
            return message.header().msgType();
        }

        JsonNode content() {
            return message.content();
        }
    }

    final FakeInterpreter fake = new FakeInterpreter();
    final List<Sent> sent = new ArrayList<>();
    final AtomicLong received = new AtomicLong();
    OutputCapture capture;
    HistoryStore history;
    ExecuteHandler execute;

    @BeforeEach
    void setUp() {
        capture = new OutputCapture((name, text) -> {});
        history = new HistoryStore(dir.resolve("history.jsonl"));
        execute = new ExecuteHandler(
                () -> fake, capture, new KernelInput(), new KernelDisplaySink(capture), history, received);
    }

    /** A request as the kernel's socket thread makes it: numbered in the order received. */
    Request request(Channel channel, MessageType type, Object content) {
        Message message = new Message(
                List.of(), Header.create(type, "client"), Json.object(), Json.object(), Json.tree(content), List.of());
        return new Request(channel, message, received.incrementAndGet(), (to, out) -> {
            synchronized (sent) {
                sent.add(new Sent(to, out));
            }
        });
    }

    Request execute(String code) {
        return request(
                Channel.SHELL,
                MessageType.EXECUTE_REQUEST,
                new Contents.ExecuteRequest(code, false, true, null, false, true));
    }

    List<Sent> handle(Handler handler, Request request) throws Exception {
        sent.clear();
        handler.handle(request);
        return List.copyOf(sent);
    }

    static Sent reply(List<Sent> messages) {
        Sent last = messages.get(messages.size() - 1);
        assertTrue(last.type().endsWith("_reply"), "the last message is the reply: " + last.type());
        return last;
    }

    static List<String> types(List<Sent> messages) {
        return messages.stream().map(Sent::type).toList();
    }

    // ------------------------------------------------------------------------------------------------------ execute

    @Test
    void executePublishesInputAndResultThenRepliesWithTheCount() throws Exception {
        List<Sent> out = handle(execute, execute("6 * 7"));
        assertEquals(List.of("execute_input", "execute_result", "execute_reply"), types(out));
        assertEquals(Channel.IOPUB, out.get(0).channel());
        assertEquals(1, out.get(0).content().get("execution_count").asInt());
        assertEquals("6 * 7", out.get(1).content().get("data").get("text/plain").asText());
        assertEquals(Channel.SHELL, reply(out).channel());
        assertEquals("ok", reply(out).content().get("status").asText());
        assertEquals(1, reply(out).content().get("execution_count").asInt());
        assertEquals(
                2,
                reply(handle(execute, execute("1")))
                        .content()
                        .get("execution_count")
                        .asInt());
        assertEquals(
                List.of("6 * 7", "1"),
                history.tail(10).stream().map(HistoryStore.Entry::source).toList());
    }

    @Test
    void silentShowsNothingCountsNothingAndStoresNothing() throws Exception {
        handle(execute, execute("first"));
        List<Sent> out = handle(
                execute,
                request(
                        Channel.SHELL,
                        MessageType.EXECUTE_REQUEST,
                        new Contents.ExecuteRequest("quiet", true, true, null, false, true)));
        assertEquals(List.of("execute_reply"), types(out), "no execute_input, no execute_result");
        assertEquals(1, reply(out).content().get("execution_count").asInt(), "the count stays");
        assertTrue(fake.calls.contains("execute quiet"), "the code still ran");
        assertEquals(
                List.of("first"),
                history.tail(10).stream().map(HistoryStore.Entry::source).toList());
    }

    @Test
    void withoutStoreHistoryTheCellShowsButIsNeitherCountedNorRecorded() throws Exception {
        handle(execute, execute("first"));
        List<Sent> out = handle(
                execute,
                request(
                        Channel.SHELL,
                        MessageType.EXECUTE_REQUEST,
                        new Contents.ExecuteRequest("scratch", false, false, null, false, true)));
        assertEquals(List.of("execute_input", "execute_result", "execute_reply"), types(out));
        assertEquals(1, reply(out).content().get("execution_count").asInt());
        assertEquals(1, history.tail(10).size());
        assertEquals(
                2,
                reply(handle(execute, execute("next")))
                        .content()
                        .get("execution_count")
                        .asInt());
    }

    @Test
    void anErrorAbortsTheCellsQueuedBehindItWhenStopOnErrorIsSet() throws Exception {
        Request failing = execute("fail");
        Request queued = execute("queued"); // received before the failure was handled
        List<Sent> out = handle(execute, failing);
        assertEquals(List.of("execute_input", "error", "execute_reply"), types(out));
        assertEquals("error", reply(out).content().get("status").asText());
        assertEquals("Failure", reply(out).content().get("ename").asText());

        List<Sent> aborted = handle(execute, queued);
        assertEquals(List.of("execute_reply"), types(aborted));
        assertEquals("aborted", reply(aborted).content().get("status").asText());
        assertFalse(fake.calls.contains("execute queued"));

        assertEquals(
                "ok",
                reply(handle(execute, execute("later"))).content().get("status").asText(),
                "a cell sent after the error runs");
    }

    @Test
    void withoutStopOnErrorQueuedCellsStillRun() throws Exception {
        Request failing = request(
                Channel.SHELL,
                MessageType.EXECUTE_REQUEST,
                new Contents.ExecuteRequest("fail", false, true, null, false, false));
        Request queued = execute("queued");
        handle(execute, failing);
        assertEquals(
                "ok", reply(handle(execute, queued)).content().get("status").asText());
    }

    @Test
    void userExpressionsAreEvaluatedAfterASuccessfulCellOnly() throws Exception {
        Map<String, String> expressions = Map.of("good", "x", "broken", "bad");
        JsonNode reply = reply(handle(
                        execute,
                        request(
                                Channel.SHELL,
                                MessageType.EXECUTE_REQUEST,
                                new Contents.ExecuteRequest("cell", false, true, expressions, false, true))))
                .content();
        JsonNode results = reply.get("user_expressions");
        assertEquals("ok", results.get("good").get("status").asText());
        assertEquals("<x>", results.get("good").get("data").get("text/plain").asText());
        assertEquals("error", results.get("broken").get("status").asText());
        assertEquals("Bad", results.get("broken").get("ename").asText());

        fake.calls.clear();
        handle(
                execute,
                request(
                        Channel.SHELL,
                        MessageType.EXECUTE_REQUEST,
                        new Contents.ExecuteRequest("fail", false, true, Map.of("good", "x"), false, false)));
        assertFalse(fake.calls.contains("evaluate x"), "not after a failed cell");
    }

    @Test
    void streamTextIsSentBeforeTheReply() throws Exception {
        java.io.PrintStream stdout = System.out;
        java.io.PrintStream stderr = System.err;
        List<Sent> out;
        try {
            capture.install();
            out = handle(execute, execute("print hello"));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals(List.of("execute_input", "stream", "execute_reply"), types(out));
        assertEquals("hello", out.get(1).content().get("text").asText());
    }

    @Test
    void aQuestionMarkPagesTheInspectionAndTwoAskForMoreDetail() throws Exception {
        fake.documentation = "String s";
        JsonNode reply = reply(handle(execute, execute("s?"))).content();
        assertEquals(
                "String s",
                reply.get("payload").get(0).get("data").get("text/plain").asText());
        assertEquals("page", reply.get("payload").get(0).get("source").asText());
        handle(execute, execute("s??"));
        assertEquals(List.of("inspect 1 0", "inspect 1 1"), fake.calls);
    }

    // ------------------------------------------------------------------------------------------ complete and inspect

    @Test
    void completionCursorsCountCodePointsNotUtf16Units() throws Exception {
        String code = "\"😀\" + s.len"; // the emoji is one code point, two UTF-16 units
        int cursorInCodePoints = code.codePointCount(0, code.length());
        fake.completion = new Interpreter.Completion(
                List.of("length()"),
                code.length() - 3,
                code.length(),
                List.of(FakeInterpreter.type(code.length() - 3, code.length(), "length()")));
        JsonNode reply = reply(handle(
                        new CompleteHandler(() -> fake),
                        request(
                                Channel.SHELL,
                                MessageType.COMPLETE_REQUEST,
                                new Contents.CompleteRequest(code, cursorInCodePoints))))
                .content();
        assertEquals(List.of("complete " + code.length()), fake.calls, "the interpreter gets a Java index");
        assertEquals(cursorInCodePoints - 3, reply.get("cursor_start").asInt());
        assertEquals(cursorInCodePoints, reply.get("cursor_end").asInt());
        assertEquals("length()", reply.get("matches").get(0).asText());
        JsonNode type = reply.get("metadata").get("_jupyter_types_experimental").get(0);
        assertEquals(cursorInCodePoints - 3, type.get("start").asInt());
        assertEquals(cursorInCodePoints, type.get("end").asInt());
    }

    @Test
    void inspectConvertsTheCursorAndSaysWhetherItFoundSomething() throws Exception {
        String code = "🎨 x";
        InspectHandler inspect = new InspectHandler(() -> fake);
        JsonNode none = reply(handle(
                        inspect,
                        request(Channel.SHELL, MessageType.INSPECT_REQUEST, new Contents.InspectRequest(code, 3, 1))))
                .content();
        assertFalse(none.get("found").asBoolean());
        assertEquals("inspect 4 1", fake.calls.get(0), "code point 3 is UTF-16 index 4");
        fake.documentation = "int x";
        JsonNode found = reply(handle(
                        inspect,
                        request(
                                Channel.SHELL,
                                MessageType.INSPECT_REQUEST,
                                new Contents.InspectRequest(code, 3, null))))
                .content();
        assertTrue(found.get("found").asBoolean());
        assertEquals("int x", found.get("data").get("text/plain").asText());
        assertTrue(found.has("metadata"));
    }

    @Test
    void isCompleteGivesAnIndentOnlyWhenIncomplete() throws Exception {
        IsCompleteHandler handler = new IsCompleteHandler(() -> fake);
        JsonNode incomplete = reply(handle(
                        handler,
                        request(
                                Channel.SHELL,
                                MessageType.IS_COMPLETE_REQUEST,
                                new Contents.IsCompleteRequest("void f() {"))))
                .content();
        assertEquals("incomplete", incomplete.get("status").asText());
        assertEquals("    ", incomplete.get("indent").asText());
        JsonNode complete = reply(handle(
                        handler,
                        request(
                                Channel.SHELL,
                                MessageType.IS_COMPLETE_REQUEST,
                                new Contents.IsCompleteRequest("1 + 1"))))
                .content();
        assertEquals("complete", complete.get("status").asText());
        assertFalse(complete.has("indent"));
    }

    // -------------------------------------------------------------------------------------------- history, interrupt

    @Test
    void historyAnswersTailRangeAndSearchFromTheCellsRun() throws Exception {
        for (String code : List.of("a", "b", "fail", "b")) {
            handle(
                    execute,
                    request(
                            Channel.SHELL,
                            MessageType.EXECUTE_REQUEST,
                            new Contents.ExecuteRequest(code, false, true, null, false, false)));
        }
        HistoryHandler handler = new HistoryHandler(history);
        JsonNode tail = reply(handle(
                        handler,
                        request(
                                Channel.SHELL,
                                MessageType.HISTORY_REQUEST,
                                new Contents.HistoryRequest(false, true, "tail", null, null, null, 2, null, null))))
                .content();
        assertEquals("[[1,3,\"fail\"],[1,4,\"b\"]]", tail.get("history").toString());
        JsonNode range = reply(handle(
                        handler,
                        request(
                                Channel.SHELL,
                                MessageType.HISTORY_REQUEST,
                                new Contents.HistoryRequest(true, true, "range", 0, 1, 3, null, null, null))))
                .content();
        assertEquals(
                "[[1,1,[\"a\",null]],[1,2,[\"b\",null]]]", range.get("history").toString());
        JsonNode search = reply(handle(
                        handler,
                        request(
                                Channel.SHELL,
                                MessageType.HISTORY_REQUEST,
                                new Contents.HistoryRequest(false, true, "search", null, null, null, null, "b", true))))
                .content();
        assertEquals("[[1,4,\"b\"]]", search.get("history").toString());
    }

    @Test
    void interruptStopsTheRunningCellAndAnswersOnControlAtOnce() throws Exception {
        CompletableFuture<Void> cell = CompletableFuture.runAsync(() -> {
            try {
                execute.handle(execute("block"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(fake.blocking.await(10, TimeUnit.SECONDS));
        InterruptHandler interrupt = new InterruptHandler(() -> Optional.of(fake));
        Request request = request(Channel.CONTROL, MessageType.INTERRUPT_REQUEST, new Contents.Empty());
        interrupt.handle(request);
        cell.get(10, TimeUnit.SECONDS);
        assertTrue(fake.calls.contains("interrupt"));
        Sent answer;
        synchronized (sent) {
            answer = sent.stream()
                    .filter(m -> m.type().equals("interrupt_reply"))
                    .findFirst()
                    .orElseThrow();
        }
        assertEquals(Channel.CONTROL, answer.channel());
        assertEquals("ok", answer.content().get("status").asText());
    }
}
