package dev.easel.display.renderers;

import dev.easel.display.HTML;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;

/** {@link HTML} → text/html, with the markup itself as the text/plain fallback. */
public final class HtmlRenderer implements Renderer<HTML> {

    @Override
    public Class<HTML> type() {
        return HTML.class;
    }

    @Override
    public MimeBundle render(HTML value) {
        return MimeBundle.of(MimeBundle.HTML, value.html(), value.html());
    }
}
