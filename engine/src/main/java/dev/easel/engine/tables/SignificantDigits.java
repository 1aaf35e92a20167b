package dev.easel.engine.tables;

import java.math.BigDecimal;
import java.math.MathContext;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Shows numbers with at most a few significant digits, without exponent or trailing zeros: a loss that was a float
 * shows as {@code 1.75886}, not {@code 1.7588554620742798}, and a learning rate as {@code 0.000005}. Only the
 * printed form changes (tables in notebooks, {@code Table.print}); the column keeps every digit, and Tablesaw's CSV
 * writer ignores print formatters, so files stay exact. Java's {@code DecimalFormat} has no significant-digit
 * pattern, hence this class.
 */
public final class SignificantDigits extends NumberFormat {

    /** What pandas shows by default ({@code display.precision} 6), as significant digits. */
    public static final int DEFAULT = 6;

    private final MathContext context;

    public SignificantDigits(int digits) {
        this.context = new MathContext(digits);
    }

    /** Gives every floating-point column of {@code table} this format; returns the table. */
    public static Table apply(Table table) {
        for (var column : table.columns()) {
            if (column instanceof DoubleColumn || column instanceof FloatColumn) {
                NumberColumnFormatter formatter = new NumberColumnFormatter(new SignificantDigits(DEFAULT));
                ((NumberColumn<?, ?>) column).setPrintFormatter(formatter);
            }
        }
        return table;
    }

    @Override
    public StringBuffer format(double number, StringBuffer to, FieldPosition position) {
        if (!Double.isFinite(number)) {
            return to.append(number);
        }
        return to.append(
                new BigDecimal(number).round(context).stripTrailingZeros().toPlainString());
    }

    @Override
    public StringBuffer format(long number, StringBuffer to, FieldPosition position) {
        return to.append(number);
    }

    @Override
    public Number parse(String source, ParsePosition position) {
        throw new UnsupportedOperationException("SignificantDigits only formats");
    }
}
