package dev.easel.display.renderers;

import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;

/** A String is shown as itself, without the quotes JShell would add. */
public final class StringRenderer implements Renderer<String> {

    @Override
    public Class<String> type() {
        return String.class;
    }

    @Override
    public MimeBundle render(String value) {
        return MimeBundle.text(value);
    }
}
