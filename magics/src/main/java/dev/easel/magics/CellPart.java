package dev.easel.magics;

/**
 * One piece of a cell, in the order written: Java code, a line magic ({@code %name args}) or a cell magic
 * ({@code %%name args} followed by the rest of the cell as its body). {@code line} is the 0-based line in the cell
 * where the piece starts, for error messages.
 */
public sealed interface CellPart {

    int line();

    record Java(String code, int line) implements CellPart {}

    /** A magic call; {@code body} is null for a line magic. */
    record MagicCall(String name, String args, String body, int line) implements CellPart {

        public boolean isCellMagic() {
            return body != null;
        }

        /** How the user wrote it: {@code %name} or {@code %%name}. */
        public String spelled() {
            return (isCellMagic() ? "%%" : "%") + name;
        }
    }
}
