package dev.tollgate.route;

import java.util.List;

/**
 * What route predicates and sticky splits read of a request besides its path, host and method. The web layer
 * adapts the servlet request; values are as received. Asked only by routes that have predicates or a sticky
 * split.
 */
public interface RequestFacts {
    /** Every field value of a header (any case), in order; empty when absent. */
    List<String> headers(String name);

    /** The raw query string, without {@code ?}, or null. */
    String query();
}
