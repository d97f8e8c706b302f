package dev.tollgate.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses where a route's traffic goes beyond one service and which requests it takes beyond path, host and
 * method: {@code gateway.routes.<name>.services} and {@code .sticky-by} (a weighted split), and
 * {@code .match.header.<name>}, {@code .match.query.<name>}, {@code .match.cookie.<name>} (request predicates).
 */
final class RouteTraffic {
    static final int MAX_WEIGHT = 1_000_000;
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern SHARE = Pattern.compile("([^:\\s]+)\\s*:\\s*(\\S+)");
    /** RFC 6265 §4.1.1 cookie-octet, plus the empty value's absence: a predicate needs a value. */
    private static final Pattern COOKIE_VALUE = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]+");

    private RouteTraffic() {
    }

    /**
     * The route's split, or null when it names one {@code service}. Reports both keys set, unknown services,
     * weights that are not positive whole numbers, repeated services, and a {@code sticky-by} without a split.
     */
    static TrafficSplit split(Settings s, String p, Set<String> services, AuthConfig.RouteAuth auth) {
        String key = p + "services";
        List<String> entries = s.list(key);
        TrafficSplit.StickyBy sticky = stickyBy(s, p + "sticky-by");
        if (entries.isEmpty()) {
            if (sticky != null) {
                s.problem(p + "sticky-by", sticky.toString(), "no sticky-by on a route without " + key);
            }
            return null;
        }
        if (s.string(p + "service") != null) {
            s.problem(key, String.join(", ", entries), "either " + p + "service or " + key + ", not both");
        }
        List<TrafficSplit.Share> shares = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String e : entries) {
            Matcher m = SHARE.matcher(e);
            if (!m.matches()) {
                s.problem(key, e, "service:weight pairs (e.g. stable:95, canary:5)");
                continue;
            }
            String service = m.group(1);
            int weight = weight(m.group(2));
            if (!services.contains(service)) {
                s.problem(key, e, "services among the configured services " + services);
            } else if (!seen.add(service)) {
                s.problem(key, e, "each service once");
            } else if (weight < 1) {
                s.problem(key, e, "a weight that is a whole number from 1 to " + MAX_WEIGHT);
            } else {
                shares.add(new TrafficSplit.Share(service, weight));
            }
        }
        if (sticky != null && sticky.source() == TrafficSplit.StickyBy.Source.PRINCIPAL
                && auth.policy() == AuthConfig.Policy.NONE) {
            s.problem(p + "sticky-by", "principal", "header:<name> or cookie:<name> on a route without auth "
                    + "(principal needs " + p + "auth)");
        }
        long sum = shares.stream().mapToLong(TrafficSplit.Share::weight).sum();
        if (sum > MAX_WEIGHT) {
            s.problem(key, String.join(", ", entries), "weights that add up to at most " + MAX_WEIGHT);
            return null;
        }
        return shares.size() == entries.size() ? new TrafficSplit(shares, sticky) : null;
    }

    private static int weight(String v) {
        if (v.length() > 7 || !v.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(v);
        return n <= MAX_WEIGHT ? n : -1;
    }

    private static TrafficSplit.StickyBy stickyBy(Settings s, String key) {
        String v = s.string(key);
        if (v == null) {
            return null;
        }
        if (v.equals("principal")) {
            return new TrafficSplit.StickyBy(TrafficSplit.StickyBy.Source.PRINCIPAL, null);
        }
        int colon = v.indexOf(':');
        String kind = colon < 0 ? v : v.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String name = colon < 0 ? "" : v.substring(colon + 1).trim();
        if ((kind.equals("header") || kind.equals("cookie")) && TOKEN.matcher(name).matches()) {
            return new TrafficSplit.StickyBy(kind.equals("header") ? TrafficSplit.StickyBy.Source.HEADER
                    : TrafficSplit.StickyBy.Source.COOKIE, name);
        }
        s.problem(key, v, "header:<name>, cookie:<name> or principal");
        return null;
    }

    /** The route's predicates under {@code .match.}; {@link RequestMatch#NONE} when it has none. */
    static RequestMatch match(Settings s, String p) {
        String prefix = p + "match.";
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, String> query = new TreeMap<>();
        Map<String, String> cookies = new TreeMap<>();
        s.under(prefix).forEach((rest, value) -> {
            int dot = rest.indexOf('.');
            String kind = dot < 0 ? rest : rest.substring(0, dot);
            String name = dot < 0 ? "" : rest.substring(dot + 1);
            String key = prefix + rest;
            if (value.isEmpty()) {
                s.problem(key, null, "a value to match exactly, or * for any value");
                return;
            }
            switch (kind) {
                case "header":
                    if (!TOKEN.matcher(name).matches() || name.indexOf('.') >= 0) {
                        s.problem(key, value, "match.header.<header name>");
                    } else if (headers.containsKey(name)) {
                        s.problem(key, value, "each header once (header names are case-insensitive)");
                    } else if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                        s.problem(key, value, "a header value without control characters");
                    } else {
                        headers.put(name, value);
                    }
                    break;
                case "query":
                    if (name.isEmpty()) {
                        s.problem(key, value, "match.query.<parameter name>");
                    } else {
                        query.put(name, value);
                    }
                    break;
                case "cookie":
                    if (!TOKEN.matcher(name).matches()) {
                        s.problem(key, value, "match.cookie.<cookie name>");
                    } else if (!COOKIE_VALUE.matcher(value).matches()) {
                        s.problem(key, value, "a cookie value (no spaces, quotes, commas, semicolons or backslashes)");
                    } else {
                        cookies.put(name, value);
                    }
                    break;
                default:
                    s.problem(key, value, "match.header.<name>, match.query.<name> or match.cookie.<name>");
            }
        });
        return headers.isEmpty() && query.isEmpty() && cookies.isEmpty() ? RequestMatch.NONE
                : new RequestMatch(headers, query, cookies);
    }
}
