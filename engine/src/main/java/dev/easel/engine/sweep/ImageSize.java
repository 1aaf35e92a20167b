package dev.easel.engine.sweep;

/** A width × height in pixels, written {@code 512x768}. */
public record ImageSize(int width, int height) {

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
