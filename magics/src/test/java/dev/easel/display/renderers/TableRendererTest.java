package dev.easel.display.renderers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.display.MimeBundle;
import dev.easel.engine.tables.SignificantDigits;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class TableRendererTest {

    @Test
    void aShortTableShowsEveryRowInBothForms() {
        MimeBundle bundle = new TableRenderer().render(Table.create("t", IntColumn.create("n", 7, 8, 9)));
        String html = (String) bundle.data().get(MimeBundle.HTML);
        assertEquals(3, html.split("<td>").length - 1);
        assertTrue(html.contains("t 3 rows × 1 columns</p>"), html);
        assertTrue(bundle.plainText().contains("9"), bundle.plainText());
    }

    @Test
    void aLongTableShowsItsHeadAndTailInBothForms() {
        int rows = 10_000;
        MimeBundle bundle = new TableRenderer()
                .render(Table.create(
                        "big", IntColumn.create("n", IntStream.range(0, rows).toArray())));
        String html = (String) bundle.data().get(MimeBundle.HTML);
        assertTrue(html.contains("<td>24</td>") && html.contains("<td>9975</td>") && html.contains("<td>9999</td>"));
        assertFalse(html.contains("<td>25</td>") || html.contains("<td>9974</td>"), "only the first and last 25");
        assertTrue(html.contains("<td>…</td>"));
        assertTrue(html.contains("10000 rows × 1 columns (first and last 25 shown)"), html);
        String text = bundle.plainText();
        assertTrue(text.contains("9999") && text.contains("..."), text);
        assertFalse(text.contains(" 5000 "), "text/plain is cut as well: " + text.length() + " characters");
        assertTrue(text.endsWith("10000 rows"), text);
    }

    @Test
    void floatingPointColumnsCanShowSixSignificantDigits() {
        double loss = (double) 1.7588554f; // a float loss widened to double: 1.7588554620742798
        Table table = SignificantDigits.apply(Table.create(
                "log", DoubleColumn.create("loss", loss, 5e-6, 9.755282581475769E-5, 120987.65322000001, Double.NaN)));
        MimeBundle bundle = new TableRenderer().render(table);
        String html = (String) bundle.data().get(MimeBundle.HTML);
        assertTrue(
                html.contains("<td>1.75886</td>")
                        && html.contains("<td>0.000005</td>")
                        && html.contains("<td>0.0000975528</td>")
                        && html.contains("<td>120988</td>")
                        && html.contains("<td></td>"),
                html);
        assertTrue(bundle.plainText().contains("1.75886"), bundle.plainText());
        assertEquals(loss, table.doubleColumn("loss").get(0), "the column keeps every digit");
    }
}
