package dev.tollgate.proxy;

import dev.tollgate.config.Cidr;
import dev.tollgate.config.ForwardingConfig;
import dev.tollgate.http.HeaderField;
import dev.tollgate.http.HeaderNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Forwarding headers (X-Forwarded-*, RFC 7239 {@code Forwarded}, {@code Via}) and the client address that
 * later filters use. Headers from a peer in the trusted-proxy list are appended to; from anyone else they are
 * replaced, so a client cannot choose the address it is known by; the same holds for the other client-address
 * headers ({@code X-Real-IP} and its kin). Also knows the identity headers of other gateways that are removed from
 * every request. Header names are compared in lower case with {@code _} read as {@code -}, as an upstream
 * framework may read them. Immutable and thread-safe.
 */
public final class Forwarding {
    private final List<Cidr> trusted;
    private final String via;
    private final Set<String> clientAddressHeaders = new HashSet<>();
    private final String clientAddressHeader;
    private final Set<String> stripped = new HashSet<>();
    private final List<String> strippedPrefixes = new ArrayList<>();

    public Forwarding(ForwardingConfig config) {
        List<Cidr> list = new ArrayList<>();
        for (String c : config.trustedProxies()) {
            list.add(Cidr.parse(c));
        }
        this.trusted = List.copyOf(list);
        this.via = config.via();
        config.clientAddressHeaders().forEach(h -> clientAddressHeaders.add(normalize(h)));
        this.clientAddressHeader = config.clientAddressHeader();
        for (String h : config.stripHeaders()) {
            if (h.endsWith("*")) {
                strippedPrefixes.add(normalize(h.substring(0, h.length() - 1)));
            } else {
                stripped.add(normalize(h));
            }
        }
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.indexOf('_') >= 0 ? lower.replace('_', '-') : lower;
    }

    /**
     * Whether a client-sent header stays off the upstream request: an identity header of another gateway, or a
     * client-address header from a peer that is not a trusted proxy.
     *
     * @param lowerName the header name in lower case
     * @param peerTrusted whether the TCP peer is a trusted proxy
     */
    boolean drops(String lowerName, boolean peerTrusted) {
        String n = lowerName.indexOf('_') >= 0 ? lowerName.replace('_', '-') : lowerName;
        if (stripped.contains(n) || (!peerTrusted && clientAddressHeaders.contains(n))) {
            return true;
        }
        for (String prefix : strippedPrefixes) {
            if (n.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The header to set to the computed client address, or null. */
    String clientAddressHeader() {
        return clientAddressHeader;
    }

    public boolean isTrusted(String address) {
        if (trusted.isEmpty()) {
            return false;
        }
        byte[] bytes = Cidr.literal(address);
        for (Cidr c : trusted) {
            if (c.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the gateway believes of the client, decided once per request (the first filter) and carried to the
     * proxy on {@link RequestHead.Peer}.
     *
     * @param peerTrusted whether the TCP peer is a trusted proxy (its forwarding headers are appended to)
     * @param address the client's address: the peer itself when it is not a trusted proxy, otherwise the
     *                right-most {@code X-Forwarded-For} hop that is not trusted (or the last verifiable one, if a
     *                hop is malformed)
     */
    public record Client(boolean peerTrusted, String address) {
    }

    /** The client behind this peer and these {@code X-Forwarded-For} values; see {@link Client}. */
    public Client client(String peer, List<String> xForwardedFor) {
        if (!isTrusted(peer)) {
            return new Client(false, peer);
        }
        List<String> hops = split(xForwardedFor);
        String last = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (Cidr.literal(hop) == null) {
                return new Client(true, last);
            }
            if (!isTrusted(hop)) {
                return new Client(true, hop);
            }
            last = hop;
        }
        return new Client(true, last);
    }

    static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                String p = part.trim();
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The value for {@code Via}: what came before (when trusted or not, Via is always appended) plus us. */
    public String via(List<String> incoming, String protocol) {
        String version = protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol;
        if (version.equals("2.0")) {
            version = "2";
        }
        String ours = version + " " + via;
        return incoming.isEmpty() ? ours : String.join(", ", incoming) + ", " + ours;
    }

    /**
     * The forwarding headers for the upstream request.
     *
     * @param in what the gateway knows of the incoming request
     * @return the fields to set, replacing any the client sent
     */
    public List<HeaderField> headers(Inbound in) {
        boolean keep = in.peerTrusted();
        List<HeaderField> out = new ArrayList<>(6);
        List<String> hops = keep ? split(in.xForwardedFor()) : List.of();
        String xff = hops.isEmpty() ? in.peer() : String.join(", ", hops) + ", " + in.peer();
        out.add(new HeaderField(HeaderNames.X_FORWARDED_FOR, xff));
        out.add(new HeaderField(HeaderNames.X_FORWARDED_PROTO,
                keep && in.xForwardedProto() != null ? in.xForwardedProto() : in.scheme()));
        out.add(new HeaderField(HeaderNames.X_FORWARDED_HOST,
                keep && in.xForwardedHost() != null ? in.xForwardedHost() : in.host()));
        out.add(new HeaderField(HeaderNames.X_FORWARDED_PORT, keep && in.xForwardedPort() != null
                ? in.xForwardedPort() : Integer.toString(in.localPort())));
        String element = "for=" + node(in.peer()) + ";proto=" + in.scheme() + ";host=" + quoted(in.host());
        List<String> forwarded = keep ? split(in.forwarded()) : List.of();
        out.add(new HeaderField(HeaderNames.FORWARDED, forwarded.isEmpty() ? element : String.join(", ",
                forwarded) + ", " + element));
        out.add(new HeaderField(HeaderNames.VIA, via(in.via(), in.protocol())));
        return out;
    }

    private static String node(String address) {
        return address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : address;
    }

    private static String quoted(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-')) {
                return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return value;
    }

    /**
     * What the gateway saw of the incoming request that matters for forwarding headers.
     *
     * @param peer the address of the TCP peer
     * @param peerTrusted whether the peer is a trusted proxy ({@link Client#peerTrusted()})
     * @param scheme {@code http} or {@code https} as received
     * @param host the {@code Host} header as received
     * @param localPort the port the request arrived on
     * @param protocol e.g. {@code HTTP/1.1}
     * @param xForwardedFor incoming values
     * @param xForwardedProto incoming value or null
     * @param xForwardedHost incoming value or null
     * @param xForwardedPort incoming value or null
     * @param forwarded incoming {@code Forwarded} values
     * @param via incoming {@code Via} values
     */
    public record Inbound(String peer, boolean peerTrusted, String scheme, String host, int localPort, String protocol,
                          List<String> xForwardedFor, String xForwardedProto, String xForwardedHost,
                          String xForwardedPort, List<String> forwarded, List<String> via) {
    }
}
