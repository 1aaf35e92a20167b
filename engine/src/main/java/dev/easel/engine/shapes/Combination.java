package dev.easel.engine.shapes;

/** What a caption must get right: a shape's color, its kind, and the background color. */
public record Combination(PaletteColor color, ShapeKind shape, PaletteColor background) {

    public Combination {
        if (color == background) {
            throw new IllegalArgumentException(
                    "a " + color.word() + " shape on a " + background.word() + " background would be invisible");
        }
    }

    /** The base caption, {@code a red circle on a blue background}. */
    public String caption() {
        return "a " + color.word() + " " + shape.word() + " on a " + background.word() + " background";
    }

    @Override
    public String toString() {
        return caption();
    }
}
