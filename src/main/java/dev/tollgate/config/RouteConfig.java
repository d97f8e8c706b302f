package dev.tollgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One route as configured under {@code gateway.routes.<name>.}.
 *
 * @param name the route's name (metrics, logs)
 * @param path the path pattern as written, e.g. {@code /api/orders/**}
 * @param segments the pattern's segments: literals, {@code *} (one segment) or a final {@code **} (any rest)
 * @param host exact host or {@code *.suffix}, lower case; {@code null} for any host
 * @param methods upper-case methods; empty for any method
 * @param service the upstream service's name; null when the route splits its traffic ({@code split})
 * @param stripPrefix literal path prefix removed before forwarding, or empty
 * @param addPrefix literal path prefix added before forwarding (after stripping), or empty
 * @param preserveHost forward the client's {@code Host}, or (false) the upstream instance's authority
 * @param connectTimeout connect timeout to an upstream instance
 * @param responseTimeout longest wait for the upstream's response head, and between body reads
 * @param maxBodySize request body limit in bytes
 * @param requestHeaders changes to the request sent upstream
 * @param responseHeaders changes to the response sent to the client
 * @param auth the route's authentication policy
 * @param loadBalancer the balancer this route uses for its service, or null for the service's own
 * @param staleIfError while the service's breaker is open, answer GET and HEAD with the last good response
 * @param staleIfErrorPublic the content is the same for every client: responses to requests with credentials
 *                           may be kept and served too
 * @param totalTimeout the longest a request may take through the proxy, retries and both bodies included, or
 *                     null for no limit
 * @param cors the route's CORS policy, or null when the gateway leaves CORS to the upstream
 * @param split the weighted split over several services, or null when the route has one {@code service}
 * @param match the request predicates besides path, host and methods; {@link RequestMatch#NONE} when none
 * @param websocket the route's WebSocket tunnels (off unless {@code websocket = true})
 * @param claimHeaders claims of the caller's token sent upstream as headers; empty when none
 */
public record RouteConfig(String name, String path, List<String> segments, String host, Set<String> methods,
                          String service, String stripPrefix, String addPrefix, boolean preserveHost,
                          Duration connectTimeout, Duration responseTimeout, long maxBodySize,
                          HeaderRules requestHeaders, HeaderRules responseHeaders,
                          AuthConfig.RouteAuth auth, LoadBalancing loadBalancer,
                          boolean staleIfError, boolean staleIfErrorPublic, Duration totalTimeout,
                          CorsConfig cors, TrafficSplit split, RequestMatch match, WebSocketConfig websocket,
                          List<ClaimHeader> claimHeaders) {
    public RouteConfig {
        segments = List.copyOf(segments);
        methods = Set.copyOf(methods);
        claimHeaders = List.copyOf(claimHeaders);
    }

    /** Every service this route may send to: its one service, or those of its split in the order written. */
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
    public String target() {
        return split == null ? service : split.toString();
    }
}
