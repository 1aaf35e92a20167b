package dev.easel.display;

import java.util.Objects;
import java.util.UUID;

/**
 * The display API cells use; the kernel imports its static methods into every cell, so a cell can write
 * {@code display(image)}, {@code var h = display("working…"); h.update("done")}, {@code clearOutput()},
 * {@code display(HTML("<b>x</b>"))}.
 *
 * <p>Outside a kernel (a plain Java program, a unit test) displays print their text/plain form to standard out.
 */
public final class Display {

    private static final DisplaySink PRINT_TEXT = new DisplaySink() {
        @Override
        public void display(MimeBundle bundle, String displayId) {
            System.out.println(bundle.plainText());
        }

        @Override
        public void update(MimeBundle bundle, String displayId) {
            System.out.println(bundle.plainText());
        }

        @Override
        public void clearOutput(boolean wait) {}
    };

    private static volatile DisplaySink sink = PRINT_TEXT;

    private Display() {}

    /** Called once by the kernel at start-up. */
    public static void setSink(DisplaySink newSink) {
        sink = Objects.requireNonNull(newSink);
    }

    public static DisplaySink sink() {
        return sink;
    }

    /** Shows {@code value} rendered through the renderer registry, in an output area that can be updated later. */
    public static DisplayHandle display(Object value) {
        DisplayHandle handle = new DisplayHandle(UUID.randomUUID().toString());
        sink.display(Renderers.global().render(value), handle.id());
        return handle;
    }

    public static void clearOutput() {
        clearOutput(false);
    }

    public static void clearOutput(boolean wait) {
        sink.clearOutput(wait);
    }

    public static HTML HTML(String html) {
        return new HTML(html);
    }

    public static Markdown Markdown(String markdown) {
        return new Markdown(markdown);
    }
}
