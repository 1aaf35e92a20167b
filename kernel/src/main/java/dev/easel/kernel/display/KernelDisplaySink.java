package dev.easel.kernel.display;

import dev.easel.display.DisplaySink;
import dev.easel.display.MimeBundle;
import dev.easel.kernel.interpreter.OutputCapture;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.MessageType;
import dev.easel.kernel.protocol.Request;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel's {@link DisplaySink}: displays become iopub {@code display_data}, {@code update_display_data} and
 * {@code clear_output} messages with the current cell's request as parent (the last cell's, for a background thread
 * that displays after its cell ended). Pending stream text is sent first, so outputs keep their order.
 */
public final class KernelDisplaySink implements DisplaySink {

    private final OutputCapture capture;
    private volatile Request parent;

    public KernelDisplaySink(OutputCapture capture) {
        this.capture = capture;
    }

    public void setParent(Request request) {
        this.parent = request;
    }

    public Request parent() {
        return parent;
    }

    @Override
    public void display(MimeBundle bundle, String displayId) {
        publish(MessageType.DISPLAY_DATA, bundle, displayId);
    }

    @Override
    public void update(MimeBundle bundle, String displayId) {
        publish(MessageType.UPDATE_DISPLAY_DATA, bundle, displayId);
    }

    @Override
    public void clearOutput(boolean wait) {
        Request current = parent;
        if (current != null) {
            capture.flush();
            current.publish(MessageType.CLEAR_OUTPUT, new Contents.ClearOutput(wait));
        }
    }

    private void publish(MessageType type, MimeBundle bundle, String displayId) {
        Request current = parent;
        if (current == null) {
            return;
        }
        capture.flush();
        Map<String, Object> transientData = new HashMap<>();
        if (displayId != null) {
            transientData.put("display_id", displayId);
        }
        current.publish(type, new Contents.DisplayData(bundle.data(), bundle.metadata(), transientData));
    }
}
