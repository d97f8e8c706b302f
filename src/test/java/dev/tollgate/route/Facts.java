package dev.tollgate.route;

import java.util.ArrayList;
import java.util.List;

/** Request facts from header lines ({@code Name: value}) and a raw query, for route tests. */
final class Facts implements RequestFacts {
    private final String query;
    private final List<String[]> headers = new ArrayList<>();

    private Facts(String query, String... headerLines) {
        this.query = query;
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
        }
    }

    static Facts of(String query, String... headerLines) {
        return new Facts(query, headerLines);
    }

    static Facts withHeaders(String... headerLines) {
        return new Facts(null, headerLines);
    }

    @Override
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    @Override
    public String query() {
        return query;
    }
}
