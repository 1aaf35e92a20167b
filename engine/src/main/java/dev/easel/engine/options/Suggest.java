package dev.easel.engine.options;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?" — the closest candidate by edit distance, when it is close enough to be a likely typo. */
public final class Suggest {

    private Suggest() {}

    /** The candidate closest to {@code typed}, if any is within a few edits (scaled by length). */
    public static Optional<String> closest(String typed, Collection<String> candidates) {
        String lower = typed.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(c.toLowerCase(Locale.ROOT), lower))
                        .thenComparing(c -> c))
                .filter(c -> distance(c.toLowerCase(Locale.ROOT), lower) <= Math.max(2, typed.length() / 2)
                        || c.toLowerCase(Locale.ROOT).startsWith(lower) && !lower.isEmpty());
    }

    /** {@code " — did you mean PREFIXbest?"}, or "" when nothing is close. */
    public static String hint(String typed, Collection<String> candidates, String prefix) {
        return closest(typed, candidates)
                .map(c -> " — did you mean " + prefix + c + "?")
                .orElse("");
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
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
