package dev.easel.display.renderers;

import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;
import tech.tablesaw.api.Table;

/** A Tablesaw {@link Table} → an HTML table (its first rows), with Tablesaw's own printout as text/plain. */
public final class TableRenderer implements Renderer<Table> {

    /** Rows shown; a notebook output with thousands of rows helps nobody. */
    private static final int MAX_ROWS = 50;

    @Override
    public Class<Table> type() {
        return Table.class;
    }

    @Override
    public MimeBundle render(Table table) {
        StringBuilder html = new StringBuilder("<table class=\"dataframe\">\n<thead><tr>");
        for (String name : table.columnNames()) {
            html.append("<th>").append(escape(name)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        int shown = Math.min(MAX_ROWS, table.rowCount());
        for (int row = 0; row < shown; row++) {
            html.append("<tr>");
            for (int col = 0; col < table.columnCount(); col++) {
                html.append("<td>").append(escape(table.getString(row, col))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody></table>\n");
        html.append("<p>").append(escape(table.name() == null ? "" : table.name())).append(" ")
                .append(table.rowCount()).append(" rows × ").append(table.columnCount()).append(" columns");
        if (shown < table.rowCount()) {
            html.append(" (first ").append(shown).append(" shown)");
        }
        html.append("</p>");
        return MimeBundle.of(MimeBundle.HTML, html.toString(), table.printAll());
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
