package dev.easel.renderers;

import dev.easel.DreamBoothRun;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;
import dev.easel.display.renderers.TableRenderer;

/** A {@link DreamBoothRun} shows as its summary and its loss history table. */
public final class DreamBoothRunRenderer implements Renderer<DreamBoothRun> {

    @Override
    public Class<DreamBoothRun> type() {
        return DreamBoothRun.class;
    }

    @Override
    public MimeBundle render(DreamBoothRun run) {
        MimeBundle table = new TableRenderer().render(run.losses());
        String summary = run.summary();
        return MimeBundle.of(
                MimeBundle.HTML,
                "<p>" + summary.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
                        + table.data().get(MimeBundle.HTML),
                summary);
    }
}
