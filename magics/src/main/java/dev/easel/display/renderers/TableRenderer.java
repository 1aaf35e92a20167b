package dev.easel.display.renderers;

import dev.easel.display.MimeBundle;
import dev.easel.display.Renderer;
import tech.tablesaw.api.Table;

/**
 * A Tablesaw {@link Table} → an HTML table, with Tablesaw's own printout as text/plain. A long table shows its first
 * and last rows with a "…" row between, in both forms, as pandas does: a notebook output with thousands of rows helps
 * nobody, and text/plain is stored in the notebook beside the HTML.
 */
public final class TableRenderer implements Renderer<Table> {

    /** Rows shown: the first half and the last half of this many. */
    static final int MAX_ROWS = 50;

    @Override
    public Class<Table> type() {
        return Table.class;
    }

    @Override
    public MimeBundle render(Table table) {
        boolean cut = table.rowCount() > MAX_ROWS;
        int head = cut ? MAX_ROWS / 2 : table.rowCount();
        StringBuilder html = new StringBuilder("<table class=\"dataframe\">\n<thead><tr>");
        for (String name : table.columnNames()) {
            html.append("<th>").append(escape(name)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        appendRows(html, table, 0, head);
        if (cut) {
            html.append("<tr>").append("<td>…</td>".repeat(table.columnCount())).append("</tr>\n");
            appendRows(html, table, table.rowCount() - (MAX_ROWS - head), table.rowCount());
        }
        html.append("</tbody></table>\n");
        html.append("<p>")
                .append(escape(table.name() == null ? "" : table.name()))
                .append(" ")
                .append(table.rowCount())
                .append(" rows × ")
                .append(table.columnCount())
                .append(" columns");
        if (cut) {
            html.append(" (first and last ").append(MAX_ROWS / 2).append(" shown)");
        }
        html.append("</p>");
        String text = cut ? table.print(MAX_ROWS) + "\n" + table.rowCount() + " rows" : table.printAll();
        return MimeBundle.of(MimeBundle.HTML, html.toString(), text);
    }

    private static void appendRows(StringBuilder html, Table table, int from, int to) {
        for (int row = from; row < to; row++) {
            html.append("<tr>");
            for (int col = 0; col < table.columnCount(); col++) {
                html.append("<td>").append(escape(table.getString(row, col))).append("</td>");
            }
            html.append("</tr>\n");
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
