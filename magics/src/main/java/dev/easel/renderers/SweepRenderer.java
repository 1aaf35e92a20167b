package dev.easel.renderers;

import dev.easel.Sweep;
import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;
import dev.easel.display.renderers.ImageRenderer;
import dev.easel.display.renderers.TableRenderer;
import java.util.Base64;

/** A {@link Sweep} shows as its grid, then its table; as text, its summary and the table's printout. */
public final class SweepRenderer implements Renderer<Sweep> {

    @Override
    public Class<Sweep> type() {
        return Sweep.class;
    }

    @Override
    public MimeBundle render(Sweep sweep) {
        MimeBundle table = new TableRenderer().render(sweep.table());
        String grid = Base64.getEncoder().encodeToString(ImageRenderer.png(sweep.grid()));
        String html = "<div><img src=\"data:image/png;base64," + grid + "\" alt=\"X/Y/Z grid\"/></div>\n" + "<p>"
                + escape(sweep.toString()) + "</p>\n" + table.data().get(MimeBundle.HTML);
        return MimeBundle.of(MimeBundle.HTML, html, sweep + "\n" + table.plainText());
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
