package dev.easel.magics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The magic registry the kernel calls: finds magics with {@link ServiceLoader}, runs a {@link CellPart.MagicCall},
 * answers {@code --help} / {@code ?}, and completes magic names and options.
 */
public final class Magics {

    private final Map<String, Magic> byName = new TreeMap<>();

    public static Magics load(ClassLoader loader) {
        Magics magics = new Magics();
        for (Magic magic : ServiceLoader.load(Magic.class, loader)) {
            magics.register(magic);
        }
        return magics;
    }

    public void register(Magic magic) {
        byName.put(magic.name(), magic);
    }

    public Collection<Magic> all() {
        return byName.values();
    }

    /** Runs one magic call; user errors come out as {@link MagicException} with a one-line message. */
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
            throw new MagicException("%" + name + " is a line magic, not a cell magic: write %" + name + " args on one line");
        }
        if (!call.isCellMagic() && !magic.isLineMagic()) {
            throw new MagicException("%%" + name + " is a cell magic: put %%" + name + " on its own line with the body below it");
        }
        magic.run(call, context);
    }

    /**
     * Completions for the magic at {@code cursor} in {@code line} (a line starting with {@code %}): magic names after
     * the percent signs, option names after them. Empty when the cursor is elsewhere.
     */
    public List<String> complete(String line, int cursor) {
        String before = line.substring(0, Math.min(cursor, line.length())).stripLeading();
        if (!before.startsWith("%")) {
            return List.of();
        }
        String prefix = before.startsWith("%%") ? "%%" : "%";
        String rest = before.substring(prefix.length());
        int space = rest.indexOf(' ');
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
        String word = rest.substring(rest.lastIndexOf(' ') + 1);
        if (magic != null && word.startsWith("-")) {
            magic.optionNames().stream().filter(o -> o.startsWith(word)).forEach(matches::add);
        }
        return matches;
    }

    private static boolean isHelpRequest(String args) {
        String trimmed = args.strip();
        return trimmed.equals("--help") || trimmed.equals("-h") || trimmed.equals("?");
    }

    private String unknown(String spelled, String name) {
        String closest = byName.keySet().stream()
                .min(Comparator.comparingInt(candidate -> editDistance(candidate, name)))
                .orElse(null);
        String hint = closest == null ? "" : " — did you mean %" + closest + "?";
        return "unknown magic " + spelled + hint + " (%lsmagic lists them all)";
    }

    /** Levenshtein distance, for "did you mean". */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
