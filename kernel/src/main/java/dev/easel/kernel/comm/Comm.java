package dev.easel.kernel.comm;

import java.util.Map;
import java.util.function.Consumer;

/**
 * One comm: a channel between kernel-side Java code and a frontend widget. Send with {@link #send}, react with
 * {@link #onMessage}; either side may close it.
 */
public final class Comm {

    private final String id;
    private final String targetName;
    private final CommManager manager;
    private volatile Consumer<Map<String, Object>> onMessage = data -> {};
    private volatile Consumer<Map<String, Object>> onClose = data -> {};
    private volatile boolean open = true;

    Comm(String id, String targetName, CommManager manager) {
        this.id = id;
        this.targetName = targetName;
        this.manager = manager;
    }

    public String id() {
        return id;
    }

    public String targetName() {
        return targetName;
    }

    public boolean isOpen() {
        return open;
    }

    /** Sends {@code data} to the frontend side of this comm. */
    public void send(Map<String, Object> data) {
        if (!open) {
            throw new IllegalStateException("comm " + id + " is closed");
        }
        manager.publisher().message(this, data);
    }

    /** Closes this comm from the kernel side. */
    public void close(Map<String, Object> data) {
        if (open) {
            open = false;
            manager.forget(id);
            manager.publisher().close(this, data);
        }
    }

    public void close() {
        close(Map.of());
    }

    /** Called with each {@code comm_msg} data the frontend sends. */
    public Comm onMessage(Consumer<Map<String, Object>> handler) {
        this.onMessage = handler;
        return this;
    }

    /** Called when the frontend closes the comm. */
    public Comm onClose(Consumer<Map<String, Object>> handler) {
        this.onClose = handler;
        return this;
    }

    void received(Map<String, Object> data) {
        onMessage.accept(data);
    }

    void closedByFrontend(Map<String, Object> data) {
        open = false;
        onClose.accept(data);
    }
}
