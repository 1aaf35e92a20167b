package dev.easel.kernel.comm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The comm registry. Cells reach it through {@link #global()}: register a target the frontend can open comms to, or
 * open a comm from the kernel side. The kernel feeds it frontend {@code comm_open}/{@code comm_msg}/{@code comm_close}
 * and gives it a {@link Publisher} for the kernel's side.
 */
public final class CommManager {

    /** How kernel-side comm events reach the frontend (iopub messages, in the kernel). */
    public interface Publisher {
        void open(Comm comm, Map<String, Object> data);

        void message(Comm comm, Map<String, Object> data);

        void close(Comm comm, Map<String, Object> data);
    }

    private static final CommManager GLOBAL = new CommManager();

    private final Map<String, Comm> comms = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<Comm, Map<String, Object>>> targets = new ConcurrentHashMap<>();
    private volatile Publisher publisher = new Publisher() {
        @Override
        public void open(Comm comm, Map<String, Object> data) {}

        @Override
        public void message(Comm comm, Map<String, Object> data) {}

        @Override
        public void close(Comm comm, Map<String, Object> data) {}
    };

    public static CommManager global() {
        return GLOBAL;
    }

    public void setPublisher(Publisher publisher) {
        this.publisher = publisher;
    }

    Publisher publisher() {
        return publisher;
    }

    /** Lets the frontend open comms to {@code targetName}; {@code onOpen} gets the new comm and the open data. */
    public void registerTarget(String targetName, BiConsumer<Comm, Map<String, Object>> onOpen) {
        targets.put(targetName, onOpen);
    }

    public void unregisterTarget(String targetName) {
        targets.remove(targetName);
    }

    /** Opens a comm from the kernel side to the frontend's {@code targetName}. */
    public Comm open(String targetName, Map<String, Object> data) {
        Comm comm = new Comm(UUID.randomUUID().toString(), targetName, this);
        comms.put(comm.id(), comm);
        publisher.open(comm, data);
        return comm;
    }

    public Optional<Comm> get(String id) {
        return Optional.ofNullable(comms.get(id));
    }

    /** Open comms (id → target name), optionally only those of one target. */
    public Map<String, String> list(String targetName) {
        Map<String, String> result = new LinkedHashMap<>();
        comms.values().stream()
                .filter(c -> targetName == null || targetName.equals(c.targetName()))
                .forEach(c -> result.put(c.id(), c.targetName()));
        return result;
    }

    /**
     * A frontend {@code comm_open}; false when no target of that name is registered (the caller then closes it, as
     * the spec asks).
     */
    public boolean openedByFrontend(String id, String targetName, Map<String, Object> data) {
        BiConsumer<Comm, Map<String, Object>> target = targets.get(targetName);
        if (target == null) {
            return false;
        }
        Comm comm = new Comm(id, targetName, this);
        comms.put(id, comm);
        target.accept(comm, data == null ? Map.of() : data);
        return true;
    }

    public void messageFromFrontend(String id, Map<String, Object> data) {
        Comm comm = comms.get(id);
        if (comm != null) {
            comm.received(data == null ? Map.of() : data);
        }
    }

    public void closedByFrontend(String id, Map<String, Object> data) {
        Comm comm = comms.remove(id);
        if (comm != null) {
            comm.closedByFrontend(data == null ? Map.of() : data);
        }
    }

    void forget(String id) {
        comms.remove(id);
    }
}
