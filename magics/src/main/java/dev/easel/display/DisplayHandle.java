package dev.easel.display;

/** One output area, returned by {@link Display#display(Object)}, that can be replaced in place. */
public final class DisplayHandle {

    private final String displayId;

    DisplayHandle(String displayId) {
        this.displayId = displayId;
    }

    public String id() {
        return displayId;
    }

    /** Replaces what this output area shows with {@code value}, rendered like any displayed value. */
    public void update(Object value) {
        Display.sink().update(Renderers.global().render(value), displayId);
    }

    @Override
    public String toString() {
        return "DisplayHandle[" + displayId + "]";
    }
}
