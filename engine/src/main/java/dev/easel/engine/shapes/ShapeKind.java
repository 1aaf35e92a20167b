package dev.easel.engine.shapes;

/** The three shapes of the shapes world. */
public enum ShapeKind {
    CIRCLE,
    SQUARE,
    TRIANGLE;

    public String word() {
        return name().toLowerCase();
    }

    public static ShapeKind fromWord(String word) {
        return valueOf(word.toUpperCase());
    }
}
