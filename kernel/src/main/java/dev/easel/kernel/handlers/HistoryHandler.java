package dev.easel.kernel.handlers;

import dev.easel.kernel.history.HistoryStore;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code history_request}: tail, range and search over the history file. */
public final class HistoryHandler implements Handler {

    private final HistoryStore history;

    public HistoryHandler(HistoryStore history) {
        this.history = history;
    }

    @Override
    public void handle(Request request) {
        Contents.HistoryRequest content = request.content(Contents.HistoryRequest.class);
        String access = content.histAccessType() == null ? "tail" : content.histAccessType();
        int n = content.n() == null ? 10 : content.n();
        List<HistoryStore.Entry> entries = switch (access) {
            case "range" ->
                history.range(
                        content.session() == null ? 0 : content.session(),
                        content.start() == null ? 0 : content.start(),
                        content.stop() == null ? 0 : content.stop());
            case "search" ->
                history.search(content.pattern(), content.n() == null ? 0 : n, Boolean.TRUE.equals(content.unique()));
            default -> history.tail(n);
        };
        boolean output = Boolean.TRUE.equals(content.output());
        List<List<Object>> rows = new ArrayList<>();
        for (HistoryStore.Entry entry : entries) {
            Object input = output ? Arrays.asList(entry.source(), null) : entry.source();
            rows.add(Arrays.asList(entry.session(), entry.line(), input));
        }
        request.reply(new Contents.HistoryReply("ok", rows));
    }
}
