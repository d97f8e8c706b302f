package dev.tollgate.route;

import dev.tollgate.config.ClaimHeader;
import dev.tollgate.config.RateLimitRule;
import dev.tollgate.config.RequestMatch;
import dev.tollgate.config.RouteConfig;
import dev.tollgate.config.TrafficSplit;
import dev.tollgate.cors.CorsPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * A configured route compiled for matching: its path pattern, host, methods and request predicates, its path
 * rewrite, and the choice of its service (one, or a weighted split). Immutable and thread-safe.
 */
public final class Route {
    private final RouteConfig config;
    private final String[] pattern;
    private final boolean tail;
    private final int literals;
    private final int singles;
    private final CorsPolicy cors;
    private final RequestMatch match;
    private final boolean predicates;
    private final Split split;
    private final Set<String> claimHeaderNames;
    private final List<RateLimitRule> rateRules;

    /** A route on its own, without rate limits: only its own claim headers are removed from client requests. */
    public Route(RouteConfig config) {
        this(config, names(List.of(config)), List.of());
    }

    /**
     * @param claimHeaderNames the claim-header names of every route of the table, as {@link #claimHeaderNames()}
     * @param rateRules the rate-limit rules the route's requests are counted against
     */
    Route(RouteConfig config, Set<String> claimHeaderNames, List<RateLimitRule> rateRules) {
        this.claimHeaderNames = Set.copyOf(claimHeaderNames);
        this.rateRules = List.copyOf(rateRules);
        this.match = config.match().predicates();
        this.predicates = !match.isEmpty();
        this.split = config.target().split() == null ? null : new Split(config.target().split());
        this.config = config;
        boolean endsWithTail = !config.match().segments().isEmpty()
                && config.match().segments().get(config.match().segments().size() - 1).equals("**");
        this.tail = endsWithTail;
        this.pattern = config.match().segments().subList(0, config.match().segments().size() - (endsWithTail ? 1 : 0))
                .toArray(new String[0]);
        int lit = 0;
        int one = 0;
        for (String s : pattern) {
            if (s.equals("*")) {
                one++;
            } else {
                lit++;
            }
        }
        this.literals = lit;
        this.singles = one;
        this.cors = config.cors() == null ? null : new CorsPolicy(config.cors());
    }

    public String name() {
        return config.name();
    }

    /** The rate-limit rules the route's requests are counted against; empty when it has none. */
    public List<RateLimitRule> rateRules() {
        return rateRules;
    }

    /**
     * The header names that any route of this route's table fills from claims, lower case with {@code _} as
     * {@code -}: removed from client requests on this route too, so that no client can set them on any route.
     */
    public Set<String> claimHeaderNames() {
        return claimHeaderNames;
    }

    static Set<String> names(List<RouteConfig> configs) {
        return configs.stream().flatMap(c -> c.headers().claims().stream()).map(ClaimHeader::normalizedHeader)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The route's one service; null when it splits its traffic (see {@link #chooseService}). */
    public String service() {
        return config.target().service();
    }

    /** Whether the route splits its traffic over several services. */
    public boolean isSplit() {
        return split != null;
    }

    /** Whether the route has predicates beyond path, host and method. */
    boolean hasPredicates() {
        return predicates;
    }

    /**
     * The service for one request: the route's one service, or the split's pick for the request's sticky value
     * (random when the split is not sticky or the request lacks the value).
     *
     * @param facts the request's headers, read only when the split is sticky by a header or cookie
     * @param subject the authenticated principal's subject, or null
     * @param random the source of a non-sticky pick
     */
    public String chooseService(RequestFacts facts, String subject, RandomGenerator random) {
        if (split == null) {
            return config.target().service();
        }
        TrafficSplit.StickyBy by = split.stickyBy();
        String value = null;
        if (by != null) {
            switch (by.source()) {
                case HEADER: {
                    List<String> values = facts.headers(by.name());
                    value = values.isEmpty() ? null : values.get(0);
                    break;
                }
                case COOKIE:
                    value = Cookies.value(facts.headers("Cookie"), by.name());
                    break;
                default:
                    value = subject;
            }
        }
        return split.choose(value == null || value.isEmpty() ? null : value, random);
    }

    public RouteConfig config() {
        return config;
    }

    /** The route's compiled CORS policy, or null when the route leaves CORS to its upstream. */
    public CorsPolicy cors() {
        return cors;
    }

    /** The path sent upstream: the canonical path with the route's prefix stripped and added. */
    public String rewrite(String canonicalPath) {
        String path = canonicalPath;
        String strip = config.target().stripPrefix();
        if (!strip.isEmpty() && path.startsWith(strip)
                && (path.length() == strip.length() || path.charAt(strip.length()) == '/')) {
            path = path.substring(strip.length());
        }
        String add = config.target().addPrefix();
        if (!add.isEmpty()) {
            path = add + path;
        }
        return path.isEmpty() ? "/" : path;
    }

    boolean matches(String host, String method, String[] segments, RequestFacts facts) {
        return matchesHost(host) && (config.match().methods().isEmpty() || config.match().methods().contains(method))
                && matchesPath(segments) && (!predicates || facts != null && matchesPredicates(facts));
    }

    private boolean matchesPredicates(RequestFacts facts) {
        for (Map.Entry<String, String> e : match.headers().entrySet()) {
            if (!anyEquals(facts.headers(e.getKey()), e.getValue())) {
                return false;
            }
        }
        for (Map.Entry<String, String> e : match.query().entrySet()) {
            if (!QueryParams.has(facts.query(), e.getKey(), RequestMatch.ANY.equals(e.getValue()) ? null : e.getValue())) {
                return false;
            }
        }
        if (!match.cookies().isEmpty()) {
            List<String> fields = facts.headers("Cookie");
            for (Map.Entry<String, String> e : match.cookies().entrySet()) {
                String v = Cookies.value(fields, e.getKey());
                if (v == null || !RequestMatch.ANY.equals(e.getValue()) && !v.equals(e.getValue())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a header is present (for {@code *}) or one of its field values, trimmed, equals the value. */
    private static boolean anyEquals(List<String> values, String want) {
        if (RequestMatch.ANY.equals(want)) {
            return !values.isEmpty();
        }
        for (String v : values) {
            if (v.trim().equals(want)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesHost(String host) {
        String want = config.match().host();
        if (want == null) {
            return true;
        }
        if (host == null) {
            return false;
        }
        if (want.startsWith("*.")) {
            return host.endsWith(want.substring(1)) && host.length() > want.length() - 1;
        }
        return host.equals(want);
    }

    private boolean matchesPath(String[] segments) {
        if (segments.length < pattern.length || !tail && segments.length != pattern.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.equals("*") ? segments[i].isEmpty() : !p.equals(segments[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Orders routes most specific first: host, literal segments, no tail, single wildcards, then more predicates,
     * more exact-value predicates, methods, and the name.
     */
    static int compareSpecificity(Route a, Route b) {
        int c = Boolean.compare(b.config.match().host() != null, a.config.match().host() != null);
        if (c == 0 && a.config.match().host() != null && b.config.match().host() != null) {
            c = Boolean.compare(a.config.match().host().startsWith("*."), b.config.match().host().startsWith("*."));
        }
        if (c == 0) {
            c = Integer.compare(b.literals, a.literals);
        }
        if (c == 0) {
            c = Boolean.compare(a.tail, b.tail);
        }
        if (c == 0) {
            c = Integer.compare(b.singles, a.singles);
        }
        if (c == 0) {
            c = Integer.compare(b.match.count(), a.match.count());
        }
        if (c == 0) {
            c = Integer.compare(b.match.exactCount(), a.match.exactCount());
        }
        if (c == 0) {
            c = Boolean.compare(!b.config.match().methods().isEmpty(), !a.config.match().methods().isEmpty());
        }
        return c != 0 ? c : a.name().compareTo(b.name());
    }
}
