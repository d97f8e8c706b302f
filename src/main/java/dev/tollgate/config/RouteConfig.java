package dev.tollgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One route as configured under {@code gateway.routes.<name>.}, its settings grouped by what they are about.
 * Immutable.
 *
 * @param name the route's name (metrics, logs)
 * @param match which requests the route takes
 * @param target where they go and how their path and {@code Host} are rewritten
 * @param limits the route's timeouts and body limit
 * @param headers changes to the request and response headers, and the claims sent upstream as headers
 * @param auth the route's authentication policy
 * @param staleIfError whether the last good response answers while the service's breaker is open
 * @param cors the route's CORS policy, or null when the gateway leaves CORS to the upstream
 * @param websocket the route's WebSocket tunnels (off unless {@code websocket = true})
 */
public record RouteConfig(String name, Match match, Target target, Limits limits, Headers headers,
                          AuthConfig.RouteAuth auth, StaleIfError staleIfError, CorsConfig cors,
                          WebSocketConfig websocket) {
    /**
     * Which requests the route takes.
     *
     * @param path the path pattern as written, e.g. {@code /api/orders/**}
     * @param segments the pattern's segments: literals, {@code *} (one segment) or a final {@code **} (any rest)
     * @param host exact host or {@code *.suffix}, lower case; {@code null} for any host
     * @param methods upper-case methods; empty for any method
     * @param predicates the request predicates besides path, host and methods; {@link RequestMatch#NONE} when none
     */
    public record Match(String path, List<String> segments, String host, Set<String> methods,
                        RequestMatch predicates) {
        public Match {
            segments = List.copyOf(segments);
            methods = Set.copyOf(methods);
        }
    }

    /**
     * Where the route's requests go.
     *
     * @param service the upstream service's name; null when the route splits its traffic ({@code split})
     * @param split the weighted split over several services, or null when the route has one {@code service}
     * @param loadBalancer the balancer this route uses for its service, or null for the service's own
     * @param stripPrefix literal path prefix removed before forwarding, or empty
     * @param addPrefix literal path prefix added before forwarding (after stripping), or empty
     * @param preserveHost forward the client's {@code Host}, or (false) the upstream instance's authority
     */
    public record Target(String service, TrafficSplit split, LoadBalancing loadBalancer, String stripPrefix,
                         String addPrefix, boolean preserveHost) {
        /** Every service the route may send to: its one service, or those of its split in the order written. */
        public List<String> services() {
            if (split == null) {
                return List.of(service);
            }
            List<String> out = new ArrayList<>(split.shares().size());
            for (TrafficSplit.Share s : split.shares()) {
                out.add(s.service());
            }
            return out;
        }

        /** The target as configured: the service's name, or the split, e.g. {@code stable:95, canary:5}. */
        public String description() {
            return split == null ? service : split.toString();
        }
    }

    /**
     * The route's timeouts and body limit.
     *
     * @param connectTimeout connect timeout to an upstream instance
     * @param responseTimeout longest wait for the upstream's response head, and between body reads
     * @param totalTimeout the longest a request may take through the proxy, retries and both bodies included, or
     *                     null for no limit
     * @param maxBodySize request body limit in bytes
     */
    public record Limits(Duration connectTimeout, Duration responseTimeout, Duration totalTimeout,
                         long maxBodySize) {
    }

    /**
     * Header changes on the way through.
     *
     * @param request changes to the request sent upstream
     * @param response changes to the response sent to the client
     * @param claims claims of the caller's token sent upstream as headers; empty when none
     */
    public record Headers(HeaderRules request, HeaderRules response, List<ClaimHeader> claims) {
        public Headers {
            claims = List.copyOf(claims);
        }
    }

    /**
     * The route's opt-in to answers from the last-good-response cache.
     *
     * @param enabled while the service's breaker is open, answer GET and HEAD with the last good response
     * @param publicContent the content is the same for every client: responses to requests with credentials may
     *                      be kept and served too
     */
    public record StaleIfError(boolean enabled, boolean publicContent) {
    }
}
