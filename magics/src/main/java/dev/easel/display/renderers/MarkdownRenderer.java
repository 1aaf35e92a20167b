package dev.easel.display.renderers;

import dev.easel.display.Markdown;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;

/** {@link Markdown} → text/markdown, with the source as the text/plain fallback. */
public final class MarkdownRenderer implements Renderer<Markdown> {

    @Override
    public Class<Markdown> type() {
        return Markdown.class;
    }

    @Override
    public MimeBundle render(Markdown value) {
        return MimeBundle.of(MimeBundle.MARKDOWN, value.markdown(), value.markdown());
    }
}
