package dev.tollgate.proxy;

import dev.tollgate.config.HeaderRules;
import dev.tollgate.config.RouteConfig;
import dev.tollgate.cors.CorsPolicy;
import dev.tollgate.discovery.Instance;
import dev.tollgate.http.HeaderField;
import dev.tollgate.http.HeaderNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Which header fields cross the gateway, in both directions: hop-by-hop fields and those the {@code Connection}
 * header nominates are dropped (RFC 9110 §7.6.1), framing is left to each side's own HTTP library, forwarding
 * headers are written by the gateway, other gateways' identity headers and untrusted client-address headers are
 * dropped ({@link Forwarding#drops}), and the route's header rules are applied last. The client's nominations
 * remove only what the client sent: the gateway's own fields (user context, forwarding, request id) are added
 * after them, so no client can suppress them. Immutable and thread-safe.
 */
public final class HeaderPolicy {
    /** Never copied from the client: framing is the client library's, the rest the gateway writes. */
    private static final Set<String> NOT_COPIED = Set.of("host", "content-length", "expect", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via", "x-request-id",
            HeaderNames.TRACEPARENT);

    private final Forwarding forwarding;

    public HeaderPolicy(Forwarding forwarding) {
        this.forwarding = forwarding;
    }

    /** The upstream request for this instance: method, target, authority and the filtered header fields. */
    HttpRequest request(RequestHead head, Instance instance) {
        RouteConfig route = head.route().config();
        String host = head.header(HeaderNames.HOST);
        BasicHttpRequest up = new BasicHttpRequest(head.method(), head.target(instance.basePath()));
        up.setScheme(instance.scheme());
        // the connection goes to the instance; with preserve-host the Host field still names what the client asked
        up.setAuthority(new URIAuthority(instance.host(), instance.port()));
        up.addHeader(HeaderNames.HOST, route.target().preserveHost() && host != null ? host : instance.authority());
        List<String> connection = new ArrayList<>(1);
        Forwarding.Inbound in = inbound(head, host, connection);
        Set<String> nominated = connection.isEmpty() ? Set.of() : HopByHop.connectionTokens(connection);
        copy(head, nominated, up);
        for (HeaderField h : forwarding.headers(in)) {
            up.setHeader(h.name(), h.value());
        }
        String clientHeader = forwarding.clientAddressHeader();
        if (clientHeader != null) {
            up.setHeader(clientHeader, head.peer().clientAddress());
        }
        up.setHeader(HeaderNames.REQUEST_ID, head.requestId());
        up.setHeader(HeaderNames.TRACEPARENT, head.traceparent());
        apply(route.headers().request(), up);
        return up;
    }

    /**
     * What the forwarding headers are made from: the client's forwarding fields and the peer. Collects the
     * {@code Connection} field values into {@code connection}.
     */
    private static Forwarding.Inbound inbound(RequestHead head, String host, List<String> connection) {
        List<String> xff = new ArrayList<>(1);
        List<String> forwarded = new ArrayList<>(1);
        List<String> via = new ArrayList<>(1);
        String xfProto = null;
        String xfHost = null;
        String xfPort = null;
        for (Header h : head.headers()) {
            String lower = h.getName().toLowerCase(Locale.ROOT);
            switch (lower) {
                case "connection": connection.add(h.getValue()); break;
                case "x-forwarded-for": xff.add(h.getValue()); break;
                case "forwarded": forwarded.add(h.getValue()); break;
                case "via": via.add(h.getValue()); break;
                case "x-forwarded-proto": xfProto = first(xfProto, h.getValue()); break;
                case "x-forwarded-host": xfHost = first(xfHost, h.getValue()); break;
                case "x-forwarded-port": xfPort = first(xfPort, h.getValue()); break;
                default: break;
            }
        }
        RequestHead.Peer peer = head.peer();
        return new Forwarding.Inbound(peer.address(), peer.trusted(), peer.scheme(),
                host != null ? host : peer.serverName(), peer.localPort(), peer.protocol(), xff, xfProto, xfHost,
                xfPort, forwarded, via);
    }

    /**
     * The client's fields that go upstream as they are: not hop-by-hop, not nominated by {@code Connection}, not
     * framing or forwarding fields the gateway sets itself, and not one the gateway adds (user context); then
     * the ones it adds.
     */
    private void copy(RequestHead head, Set<String> nominated, HttpRequest up) {
        boolean trusted = head.peer().trusted();
        for (Header h : head.headers()) {
            String lower = h.getName().toLowerCase(Locale.ROOT);
            if (!HopByHop.isHopByHop(lower) && !NOT_COPIED.contains(lower) && !nominated.contains(lower)
                    && !forwarding.drops(lower, trusted) && !isAdded(head, h.getName())) {
                up.addHeader(h);
            }
        }
        for (Header h : head.added()) {
            up.addHeader(h);
        }
    }

    private static String first(String seen, String value) {
        return seen != null ? seen : value;
    }

    private static boolean isAdded(RequestHead head, String name) {
        for (Header h : head.added()) {
            if (h.getName().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The response head for the client: the upstream's fields without hop-by-hop ones and framing, plus
     * {@code Via}, the request id, on a CORS route the gateway's CORS fields in place of the upstream's, and the
     * route's response rules.
     */
    ResponseHead response(HttpResponse up, RequestHead head) {
        List<String> connection = new ArrayList<>(1);
        List<String> via = new ArrayList<>(1);
        for (Header h : up.getHeaders()) {
            String lower = h.getName().toLowerCase(Locale.ROOT);
            if (lower.equals("connection")) {
                connection.add(h.getValue());
            } else if (lower.equals("via")) {
                via.add(h.getValue());
            }
        }
        Set<String> nominated = connection.isEmpty() ? Set.of() : HopByHop.connectionTokens(connection);
        CorsPolicy cors = head.route().cors();
        boolean varied = false;
        List<Header> out = new ArrayList<>(up.getHeaders().length + 3);
        long length = -1;
        for (Header h : up.getHeaders()) {
            String lower = h.getName().toLowerCase(Locale.ROOT);
            if (HopByHop.isHopByHop(lower) || nominated.contains(lower) || lower.equals("via")) {
                continue;
            }
            if (cors != null) {
                if (CorsPolicy.isCorsResponseHeader(lower)) {
                    continue;
                }
                varied |= lower.equals("vary") && CorsPolicy.variesByOrigin(h.getValue());
            }
            if (lower.equals("content-length")) {
                length = contentLength(h.getValue());
                continue;
            }
            out.add(h);
        }
        out.add(new BasicHeader(HeaderNames.VIA, forwarding.via(via,
                up.getVersion() == null ? "HTTP/1.1" : up.getVersion().toString())));
        out.add(new BasicHeader(HeaderNames.REQUEST_ID, head.requestId()));
        if (cors != null) {
            cors.actual(head.header(CorsPolicy.ORIGIN), varied, (name, value) -> out.add(new BasicHeader(name, value)));
        }
        HeaderRules rules = head.route().config().headers().response();
        if (!rules.isEmpty()) {
            rules.remove().forEach(name -> out.removeIf(h -> h.getName().equalsIgnoreCase(name)));
            rules.set().forEach((name, value) -> {
                out.removeIf(h -> h.getName().equalsIgnoreCase(name));
                out.add(new BasicHeader(name, value));
            });
            rules.add().forEach((name, value) -> out.add(new BasicHeader(name, value)));
        }
        return new ResponseHead(up.getCode(), out, length);
    }

    private static long contentLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // HttpClient has already refused a malformed length
        }
    }

    private static void apply(HeaderRules rules, HttpMessage msg) {
        if (rules.isEmpty()) {
            return;
        }
        rules.remove().forEach(msg::removeHeaders);
        for (Map.Entry<String, String> e : rules.set().entrySet()) {
            msg.setHeader(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : rules.add().entrySet()) {
            msg.addHeader(e.getKey(), e.getValue());
        }
    }

    /**
     * A response head for the client.
     *
     * @param status the status code
     * @param headers the header fields, framing excluded
     * @param contentLength the body's declared length, or -1
     */
    public record ResponseHead(int status, List<Header> headers, long contentLength) {
        public ResponseHead {
            headers = List.copyOf(headers);
        }
    }
}
