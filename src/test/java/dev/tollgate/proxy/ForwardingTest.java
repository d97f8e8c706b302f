package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ForwardingConfig;
import dev.tollgate.http.HeaderField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwardingTest {
    private static final String UNTRUSTED = "203.0.113.7";
    private static final String PROXY = "10.1.2.3";

    private final Forwarding forwarding = forwarding("10.0.0.0/8", "::1", "fd00::/8");

    private static Forwarding forwarding(String... trusted) {
        return new Forwarding(new ForwardingConfig(List.of(trusted), "tollgate", List.of(), null, List.of()));
    }

    /** Forwarding headers as a map; the order of the returned pairs is kept. */
    private static Map<String, String> headers(Forwarding f, Forwarding.Inbound in) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HeaderField h : f.headers(in)) {
            assertThat(out.put(h.name(), h.value())).as("header %s set once", h.name()).isNull();
        }
        return out;
    }

    /** A plain HTTP/1.1 request to api.example.com on port 8080 with none of the forwarding headers. */
    private Forwarding.Inbound plain(String peer) {
        return new Forwarding.Inbound(peer, forwarding.isTrusted(peer), "http", "api.example.com", 8080, "HTTP/1.1",
                List.of(), null, null, null, List.of(), List.of());
    }

    /** A request carrying every forwarding header, as a client or an upstream proxy could send them. */
    private Forwarding.Inbound withForwardingHeaders(String peer) {
        return new Forwarding.Inbound(peer, forwarding.isTrusted(peer), "http", "api.example.com", 8080, "HTTP/1.1",
                List.of("198.51.100.1, 198.51.100.2", "10.9.9.9"), "https", "public.example.com", "443",
                List.of("for=198.51.100.1;proto=https", "for=198.51.100.2"), List.of("1.1 edge"));
    }

    // --- client ------------------------------------------------------------------------------------------------

    @Test
    void theClientSaysOnceWhetherThePeerIsTrusted() {
        assertThat(forwarding.client(UNTRUSTED, List.of("1.1.1.1"))).isEqualTo(new Forwarding.Client(false, UNTRUSTED));
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1"))).isEqualTo(new Forwarding.Client(true, "1.1.1.1"));
        assertThat(forwarding.client(PROXY, List.of("garbage"))).isEqualTo(new Forwarding.Client(true, PROXY));
    }

    @Test
    void untrustedPeerIsTheClientWhateverXForwardedForSays() {
        assertThat(forwarding.client(UNTRUSTED, List.of("1.1.1.1")).address()).isEqualTo(UNTRUSTED);
        assertThat(forwarding.client(UNTRUSTED, List.of("10.0.0.1, 1.1.1.1")).address()).isEqualTo(UNTRUSTED);
        assertThat(forwarding.client(UNTRUSTED, List.of()).address()).isEqualTo(UNTRUSTED);
    }

    @Test
    void withoutTrustedProxiesEveryPeerIsTheClient() {
        Forwarding none = forwarding();
        assertThat(none.client(PROXY, List.of("1.1.1.1")).address()).isEqualTo(PROXY);
        assertThat(none.isTrusted(PROXY)).isFalse();
    }

    @Test
    void trustedPeerWithoutXForwardedForIsTheClient() {
        assertThat(forwarding.client(PROXY, List.of()).address()).isEqualTo(PROXY);
    }

    @Test
    void trustedPeerYieldsTheRightMostUntrustedHop() {
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1")).address()).isEqualTo("1.1.1.1");
        assertThat(forwarding.client(PROXY, List.of("6.6.6.6, 1.1.1.1, 10.0.0.2")).address()).isEqualTo("1.1.1.1");
        assertThat(forwarding.client(PROXY, List.of("6.6.6.6, 1.1.1.1", "10.0.0.2, 10.0.0.3")).address())
                .as("several header lines form one list").isEqualTo("1.1.1.1");
        assertThat(forwarding.client(PROXY, List.of(" 6.6.6.6 ,  1.1.1.1 ,, ")).address())
                .as("blanks around and between hops").isEqualTo("1.1.1.1");
    }

    @Test
    void spoofedLeftHopsBeforeTheRealClientAreIgnored() {
        assertThat(forwarding.client(PROXY, List.of("10.0.0.1, 127.0.0.1, 1.1.1.1, 10.0.0.2")).address())
                .isEqualTo("1.1.1.1");
    }

    @Test
    void allHopsTrustedYieldsTheLeftMost() {
        assertThat(forwarding.client(PROXY, List.of("10.0.0.1, 10.0.0.2, 10.0.0.3")).address()).isEqualTo("10.0.0.1");
        assertThat(forwarding.client(PROXY, List.of("fd00::1, ::1")).address()).isEqualTo("fd00::1");
    }

    @Test
    void malformedHopYieldsTheLastVerifiableAddress() {
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1, garbage, 10.0.0.2")).address()).isEqualTo("10.0.0.2");
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1, unknown")).address()).isEqualTo(PROXY);
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1, 10.0.0.2:5555")).address()).as("host:port")
                .isEqualTo(PROXY);
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1, 1.2.3")).address()).isEqualTo(PROXY);
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1, 256.0.0.1")).address()).isEqualTo(PROXY);
        assertThat(forwarding.client(PROXY, List.of("1.1.1.1, _hidden, 10.0.0.4, 10.0.0.5")).address())
                .isEqualTo("10.0.0.4");
    }

    @Test
    void malformedHopLeftOfTheClientDoesNotMatter() {
        assertThat(forwarding.client(PROXY, List.of("garbage, 1.1.1.1, 10.0.0.2")).address()).isEqualTo("1.1.1.1");
    }

    @ParameterizedTest(name = "{0} trusted: {1}")
    @CsvSource({
        "10.0.0.0/8,     10.0.0.1,        true",
        "10.0.0.0/8,     10.255.255.255,  true",
        "10.0.0.0/8,     11.0.0.1,        false",
        "10.0.0.0/8,     9.255.255.255,   false",
        "192.168.4.0/22, 192.168.7.255,   true",
        "192.168.4.0/22, 192.168.8.0,     false",
        "192.168.4.0/22, 192.168.3.255,   false",
        "127.0.0.1,      127.0.0.1,       true",
        "127.0.0.1,      127.0.0.2,       false",
        "0.0.0.0/0,      203.0.113.7,     true",
        "0.0.0.0/0,      ::1,             false",
        "::1,            ::1,             true",
        "::1,            0:0:0:0:0:0:0:1, true",
        "::1,            [::1],           true",
        "::1,            ::2,             false",
        "::1,            127.0.0.1,       false",
        "fd00::/8,       fd12:3456::1,    true",
        "fd00::/8,       fc00::1,         false",
        "fd00::/8,       fe80::1,         false",
        "2001:db8::/33,  2001:db8:7fff::1, true",
        "2001:db8::/33,  2001:db8:8000::1, false",
        "10.0.0.0/8,     not-an-ip,       false",
        "10.0.0.0/8,     '',              false",
    })
    void matchesTrustedProxiesByCidrForIpv4AndIpv6(String cidr, String address, boolean trusted) {
        assertThat(forwarding(cidr).isTrusted(address)).isEqualTo(trusted);
    }

    @Test
    void ipv6PeerInTrustedBlockDefersToXForwardedFor() {
        assertThat(forwarding.client("fd00::5", List.of("2001:db8::7")).address()).isEqualTo("2001:db8::7");
        assertThat(forwarding.client("::1", List.of("1.1.1.1, fd00::9")).address()).isEqualTo("1.1.1.1");
        assertThat(forwarding.client("2001:db8::1", List.of("1.1.1.1")).address()).isEqualTo("2001:db8::1");
    }

    // --- headers -----------------------------------------------------------------------------------------------

    @Test
    void untrustedPeerGetsForwardingHeadersReplacedByTheGatewaysOwn() {
        Map<String, String> h = headers(forwarding, withForwardingHeaders(UNTRUSTED));

        assertThat(h).containsExactly(
                Map.entry("X-Forwarded-For", UNTRUSTED),
                Map.entry("X-Forwarded-Proto", "http"),
                Map.entry("X-Forwarded-Host", "api.example.com"),
                Map.entry("X-Forwarded-Port", "8080"),
                Map.entry("Forwarded", "for=203.0.113.7;proto=http;host=api.example.com"),
                Map.entry("Via", "1.1 edge, 1.1 tollgate"));
    }

    @Test
    void requestWithoutForwardingHeadersGetsTheGatewaysOwn() {
        Map<String, String> h = headers(forwarding, plain(PROXY));

        assertThat(h).containsExactly(
                Map.entry("X-Forwarded-For", PROXY),
                Map.entry("X-Forwarded-Proto", "http"),
                Map.entry("X-Forwarded-Host", "api.example.com"),
                Map.entry("X-Forwarded-Port", "8080"),
                Map.entry("Forwarded", "for=10.1.2.3;proto=http;host=api.example.com"),
                Map.entry("Via", "1.1 tollgate"));
    }

    @Test
    void trustedPeerGetsForwardingHeadersAppendedToOrKept() {
        Map<String, String> h = headers(forwarding, withForwardingHeaders(PROXY));

        assertThat(h).containsExactly(
                Map.entry("X-Forwarded-For", "198.51.100.1, 198.51.100.2, 10.9.9.9, 10.1.2.3"),
                Map.entry("X-Forwarded-Proto", "https"),
                Map.entry("X-Forwarded-Host", "public.example.com"),
                Map.entry("X-Forwarded-Port", "443"),
                Map.entry("Forwarded", "for=198.51.100.1;proto=https, for=198.51.100.2, "
                        + "for=10.1.2.3;proto=http;host=api.example.com"),
                Map.entry("Via", "1.1 edge, 1.1 tollgate"));
    }

    @Test
    void trustedPeerAppendsItselfToXForwardedFor() {
        Forwarding.Inbound in = new Forwarding.Inbound(PROXY, forwarding.isTrusted(PROXY), "https", "api.example.com", 443, "HTTP/1.1",
                List.of("a.example", "b.example"), null, null, null, List.of(), List.of());
        assertThat(headers(forwarding, in)).containsEntry("X-Forwarded-For", "a.example, b.example, 10.1.2.3")
                .containsEntry("X-Forwarded-Proto", "https")
                .containsEntry("X-Forwarded-Port", "443");
    }

    /** An empty header line adds no hop: the upstream must not see a list starting with a comma. */
    @Test
    void trustedPeerWithEmptyForwardingHeadersSendsOnlyItsOwnValues() {
        Forwarding.Inbound in = new Forwarding.Inbound(PROXY, forwarding.isTrusted(PROXY), "http", "api.example.com", 8080, "HTTP/1.1",
                List.of(""), null, null, null, List.of(""), List.of());
        Map<String, String> h = headers(forwarding, in);
        assertThat(h).containsEntry("X-Forwarded-For", PROXY)
                .containsEntry("Forwarded", "for=10.1.2.3;proto=http;host=api.example.com");
    }

    @Test
    void trustedPeerWithoutIncomingValuesGetsTheGatewaysOwn() {
        Map<String, String> h = headers(forwarding, plain("::1"));
        assertThat(h).containsEntry("X-Forwarded-For", "::1")
                .containsEntry("X-Forwarded-Proto", "http")
                .containsEntry("X-Forwarded-Host", "api.example.com")
                .containsEntry("X-Forwarded-Port", "8080");
    }

    @Test
    void ipv6PeerIsQuotedAndBracketedInForwarded() {
        Map<String, String> h = headers(forwarding, plain("::1"));
        assertThat(h).containsEntry("Forwarded", "for=\"[::1]\";proto=http;host=api.example.com");

        Map<String, String> untrusted = headers(forwarding, plain("2001:db8::1"));
        assertThat(untrusted).containsEntry("Forwarded", "for=\"[2001:db8::1]\";proto=http;host=api.example.com")
                .containsEntry("X-Forwarded-For", "2001:db8::1");
    }

    @Test
    void hostWithPortIsQuotedInForwarded() {
        Forwarding.Inbound in = new Forwarding.Inbound(UNTRUSTED, forwarding.isTrusted(UNTRUSTED), "https", "api.example.com:8443", 8443, "HTTP/1.1",
                List.of(), null, null, null, List.of(), List.of());
        assertThat(headers(forwarding, in)).containsEntry("Forwarded",
                "for=203.0.113.7;proto=https;host=\"api.example.com:8443\"")
                .containsEntry("X-Forwarded-Host", "api.example.com:8443");
    }

    @Test
    void viaIsAlwaysAppendedWithTheProtocolVersion() {
        assertThat(forwarding.via(List.of(), "HTTP/1.1")).isEqualTo("1.1 tollgate");
        assertThat(forwarding.via(List.of(), "HTTP/1.0")).isEqualTo("1.0 tollgate");
        assertThat(forwarding.via(List.of(), "HTTP/2.0")).isEqualTo("2 tollgate");
        assertThat(forwarding.via(List.of(), "HTTP/2")).isEqualTo("2 tollgate");
        assertThat(forwarding.via(List.of("1.0 fred", "1.1 p.example.net"), "HTTP/1.1"))
                .isEqualTo("1.0 fred, 1.1 p.example.net, 1.1 tollgate");
    }

    @Test
    void viaUsesTheConfiguredPseudonym() {
        Forwarding edge = new Forwarding(new ForwardingConfig(List.of(), "edge-gw", List.of(), null, List.of()));
        assertThat(edge.via(List.of(), "HTTP/1.1")).isEqualTo("1.1 edge-gw");
    }

    @Test
    void http2RequestGetsVia2() {
        Forwarding.Inbound in = new Forwarding.Inbound(UNTRUSTED, forwarding.isTrusted(UNTRUSTED), "https", "api.example.com", 443, "HTTP/2.0",
                List.of(), null, null, null, List.of(), List.of("1.1 cdn"));
        assertThat(headers(forwarding, in)).containsEntry("Via", "1.1 cdn, 2 tollgate");
    }
}
