package dev.cairn.checkpoint.storage.api;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Suggests the known name a misspelt one was probably meant to be. */
public final class DidYouMean {
    /** Names longer than this get no suggestion. */
    private static final int MAX_LENGTH = 200;

    private DidYouMean() {}

    /**
     * The closest of {@code known} to {@code given}: equal but for case and the separators {@code
     * . _ -}, or at most two edits away (one for names of four characters or fewer).
     */
    public static Optional<String> suggest(String given, Collection<String> known) {
        if (given.length() > MAX_LENGTH) {
            return Optional.empty(); // no name is that long; and the distance table would be huge
        }
        String g = normalize(given);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            String c = normalize(candidate);
            int distance = c.equals(g) ? 0 : distance(g, c);
            int allowed = Math.min(g.length(), c.length()) <= 4 ? 1 : 2;
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code "; did you mean 'x'?"} or nothing. */
    public static String hint(String given, Collection<String> known) {
        return suggest(given, known).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replace(".", "").replace("_", "").replace("-", "");
    }

    /** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
