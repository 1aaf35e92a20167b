package dev.easel.notebook;

import dev.easel.display.Display;
import dev.easel.display.DisplaySink;
import dev.easel.display.MimeBundle;
import java.util.ArrayList;
import java.util.List;

/** A DisplaySink that keeps every display and update, installed for the duration of a test. */
public final class RecordingSink implements DisplaySink, AutoCloseable {

    public record Event(String kind, MimeBundle bundle, String displayId) {}

    public final List<Event> events = new ArrayList<>();
    private final DisplaySink previous;

    public RecordingSink() {
        previous = Display.sink();
        Display.setSink(this);
    }

    @Override
    public synchronized void display(MimeBundle bundle, String displayId) {
        events.add(new Event("display", bundle, displayId));
    }

    @Override
    public synchronized void update(MimeBundle bundle, String displayId) {
        events.add(new Event("update", bundle, displayId));
    }

    @Override
    public synchronized void clearOutput(boolean wait) {
        events.add(new Event("clear", null, null));
    }

    public synchronized List<Event> of(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    @Override
    public void close() {
        Display.setSink(previous);
    }
}
