package dev.easel.display;

/**
 * Where displays go. The kernel implements it (as iopub {@code display_data}, {@code update_display_data} and
 * {@code clear_output} messages for the cell that is running); nothing on this side knows about ZeroMQ.
 */
public interface DisplaySink {

    /** Shows a new output; {@code displayId} (may be null) lets a later {@link #update} replace it in place. */
    void display(MimeBundle bundle, String displayId);

    /** Replaces every output shown earlier with this {@code displayId}, wherever it is. */
    void update(MimeBundle bundle, String displayId);

    /** Clears the running cell's output; with {@code wait}, only when the next output arrives (no flicker). */
    void clearOutput(boolean wait);
}
