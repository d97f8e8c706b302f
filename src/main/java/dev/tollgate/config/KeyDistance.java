package dev.tollgate.config;

import java.util.Collection;

/** Finds the known key an unknown one was probably meant to be: the nearest by edit distance. Stateless. */
final class KeyDistance {
    /** Suggested only this close: two typing slips (a dropped, added, changed or swapped character). */
    static final int MAX = 2;

    private KeyDistance() {
    }

    /** The known key nearest to {@code key}, at most {@link #MAX} edits away (the first in order on a tie), or null. */
    static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = MAX + 1;
        for (String k : known) {
            if (Math.abs(k.length() - key.length()) > MAX) {
                continue;
            }
            int d = distance(key, k);
            if (d < bestDistance || d == bestDistance && best != null && k.compareTo(best) < 0) {
                best = k;
                bestDistance = d;
            }
        }
        return bestDistance <= MAX ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
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
