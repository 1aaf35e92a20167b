package dev.easel.magics;

import dev.easel.engine.EngineException;
import dev.easel.engine.EngineLog;
import dev.easel.engine.options.Suggest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;

/**
 * The magic registry the kernel calls: finds magics with {@link ServiceLoader}, runs a {@link CellPart.MagicCall},
 * answers {@code --help} / {@code ?}, and completes magic names, options and option values.
 */
public final class Magics {

    private final Map<String, Magic> byName = new TreeMap<>();

    /**
     * The magics {@code loader} provides; also routes the engine's warnings (a cut-off prompt, a resumed run that is
     * no longer exact) to the running cell's stderr as {@code easel: MESSAGE}.
     */
    public static Magics load(ClassLoader loader) {
        EngineLog.showOnStandardError();
        Magics magics = new Magics();
        for (Magic magic : ServiceLoader.load(Magic.class, loader)) {
            magics.register(magic);
        }
        return magics;
    }

    /** Adds a magic (replacing one of the same name); a {@link RegistryAware} magic is told about this registry. */
    public void register(Magic magic) {
        byName.put(magic.name(), magic);
        if (magic instanceof RegistryAware aware) {
            aware.setRegistry(this);
        }
    }

    public Collection<Magic> all() {
        return byName.values();
    }

    public Optional<Magic> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * Runs one magic call; user errors come out as {@link MagicException} with a one-line message. This is where
     * the engine's {@link EngineException} becomes a magic's error ({@code %magic: message}), for every magic.
     */
    public void run(CellPart.MagicCall call, MagicContext context) throws Exception {
        String name = call.name();
        boolean helpSuffix = name.endsWith("?");
        if (helpSuffix) {
            name = name.substring(0, name.length() - 1);
        }
        Magic magic = byName.get(name);
        if (magic == null) {
            throw new MagicException(unknown(call.isCellMagic() ? "%%" + name : "%" + name, name));
        }
        if (helpSuffix || isHelpRequest(call.args())) {
            System.out.println(magic.help());
            return;
        }
        if (call.isCellMagic() && !magic.isCellMagic()) {
            throw new MagicException(
                    "%" + name + " is a line magic, not a cell magic: write %" + name + " args on one line");
        }
        if (!call.isCellMagic() && !magic.isLineMagic()) {
            throw new MagicException(
                    "%%" + name + " is a cell magic: put %%" + name + " on its own line with the body below it");
        }
        try {
            magic.run(call, context);
        } catch (EngineException e) {
            throw new MagicException(call.spelled() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs cell text — Java and magics mixed, in the order written — stopping at the first part that fails: the
     * kernel runs every cell through here, and {@code %%time} its body. A magic's user error comes out as
     * {@link MagicException}.
     */
    public void runCell(String cell, MagicContext context) throws Exception {
        runCellHoldingLastValue(cell, context).ifPresent(Runnable::run);
    }

    /**
     * Runs a cell as {@link #runCell} does, except that when its last part is Java with a value, that value is not
     * shown: the returned action shows it (values of earlier parts are shown before the next part runs). Empty when
     * there is nothing left to show or a part failed.
     */
    public Optional<Runnable> runCellHoldingLastValue(String cell, MagicContext context) throws Exception {
        Runnable held = null;
        for (CellPart part : CellParser.parse(cell)) {
            if (held != null) {
                held.run();
                held = null;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted");
            }
            if (!context.beforePart(part)) {
                return Optional.empty();
            }
            if (part instanceof CellPart.MagicCall call) {
                run(call, context);
            } else if (part instanceof CellPart.Java java) {
                Runnable[] value = {null};
                if (!context.runJavaHoldingValue(java.code(), show -> value[0] = show)) {
                    return Optional.empty();
                }
                held = value[0];
            }
        }
        return Optional.ofNullable(held);
    }

    /** {@link #complete(String, int, Path)} with paths relative to the working directory. */
    public List<String> complete(String line, int cursor) {
        return complete(line, cursor, Path.of("").toAbsolutePath());
    }

    /**
     * Completions for the magic at {@code cursor} in {@code line} (a line starting with {@code %}): magic names after
     * the percent signs, option names after them, the choices of an option after the option, and files and folders
     * where a value is a path (relative to {@code workingDirectory}). A value may start with a quote. Empty when the
     * cursor is elsewhere.
     */
    public List<String> complete(String line, int cursor, Path workingDirectory) {
        String before = line.substring(0, Math.min(cursor, line.length())).stripLeading();
        if (!before.startsWith("%")) {
            return List.of();
        }
        String prefix = before.startsWith("%%") ? "%%" : "%";
        String rest = before.substring(prefix.length());
        int space = indexOfWhitespace(rest);
        List<String> matches = new ArrayList<>();
        if (space < 0) {
            for (Magic magic : byName.values()) {
                boolean fits = prefix.equals("%%") ? magic.isCellMagic() : magic.isLineMagic();
                if (fits && magic.name().startsWith(rest)) {
                    matches.add(prefix + magic.name());
                }
            }
            return matches;
        }
        Magic magic = byName.get(rest.substring(0, space));
        if (magic == null) {
            return matches;
        }
        String[] words = rest.substring(space).strip().split("\\s+", -1);
        boolean endsInSpace = Character.isWhitespace(rest.charAt(rest.length() - 1));
        String word = endsInSpace ? "" : words[words.length - 1];
        String previous = endsInSpace ? words[words.length - 1] : words.length > 1 ? words[words.length - 2] : "";
        if (word.startsWith("--") && word.contains("=")) {
            String option = word.substring(0, word.indexOf('='));
            String value = word.substring(word.indexOf('=') + 1);
            values(magic, option, value, workingDirectory).forEach(v -> matches.add(option + "=" + v));
        } else if (word.startsWith("-")) {
            magic.optionNames().stream().filter(o -> o.startsWith(word)).forEach(matches::add);
        } else {
            String quote = word.startsWith("\"") || word.startsWith("'") ? word.substring(0, 1) : "";
            boolean optionValue = previous.startsWith("--")
                    && (magic.metavar(previous) != null
                            || !magic.optionValues(previous).isEmpty());
            values(magic, optionValue ? previous : null, word.substring(quote.length()), workingDirectory)
                    .forEach(v -> matches.add(quote + v));
        }
        return matches;
    }

    /**
     * The choices of {@code option} that start with {@code typed} — for the first positional argument (null), the
     * choices its metavar names — then files and folders if the value is a path.
     */
    private static List<String> values(Magic magic, String option, String typed, Path workingDirectory) {
        String metavar = magic.metavar(option);
        List<String> choices =
                option != null ? magic.optionValues(option) : metavar != null ? magic.optionValues(metavar) : List.of();
        List<String> values = new ArrayList<>(
                choices.stream().filter(v -> v.startsWith(typed)).toList());
        if (PathCompletion.isPath(metavar)) {
            values.addAll(PathCompletion.complete(typed, workingDirectory, PathCompletion.isFolder(metavar)));
        }
        return values;
    }

    private static boolean isHelpRequest(String args) {
        String trimmed = args.strip();
        return trimmed.equals("--help") || trimmed.equals("-h") || trimmed.equals("?");
    }

    private String unknown(String spelled, String name) {
        String hint = Suggest.hint(name, byName.keySet(), "%");
        return "unknown magic " + spelled + hint + " (%lsmagic lists them all)";
    }

    /** Levenshtein distance, for "did you mean". */
    static int editDistance(String a, String b) {
        return Suggest.distance(a, b);
    }

    private static int indexOfWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
