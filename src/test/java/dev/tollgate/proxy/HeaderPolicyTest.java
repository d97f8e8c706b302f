package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.Instance;
import dev.tollgate.route.Route;
import dev.tollgate.testsupport.Configs;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.junit.jupiter.api.Test;

/** Which header fields cross the gateway in each direction, without a container or a socket. */
class HeaderPolicyTest {
    private static final Instance INSTANCE = Instance.of(URI.create("http://10.1.2.3:8080/base"));
    private static final String CLIENT = "198.51.100.7";
    private static final String PROXY = "10.0.0.5";

    private static GatewayConfig config(String... lines) {
        List<String> all = new ArrayList<>(List.of("gateway.forwarding.trusted-proxies = 10.0.0.0/8"));
        all.addAll(Arrays.asList(lines));
        return Configs.withApiRoute(all.toArray(new String[0]));
    }

    private static HttpRequest upstream(GatewayConfig config, String peer, List<Header> added, String... headers) {
        List<Header> in = new ArrayList<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            in.add(new BasicHeader(headers[i], headers[i + 1]));
        }
        Forwarding forwarding = new Forwarding(config.proxy().forwarding());
        // as the first filter decides it, once per request
        Forwarding.Client client = forwarding.client(peer, in.stream()
                .filter(h -> h.getName().equalsIgnoreCase("X-Forwarded-For")).map(Header::getValue).toList());
        RequestHead head = new RequestHead("GET", "/api/orders", "a=1", in, added,
                new RequestHead.Peer(peer, "https", "gw.example", 443, "HTTP/1.1", client.peerTrusted(),
                        client.address()),
                new Route(config.routes().get(0)), "req-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        return new HeaderPolicy(forwarding).request(head, INSTANCE);
    }

    private static HttpRequest upstream(String peer, String... headers) {
        return upstream(config(), peer, List.of(), headers);
    }

    private static List<String> values(HttpRequest r, String name) {
        return Arrays.stream(r.getHeaders(name)).map(Header::getValue).toList();
    }

    @Test
    void theTargetAndHostAreTheInstances() {
        HttpRequest r = upstream(CLIENT, "Host", "gw.example");
        assertThat(r.getPath()).isEqualTo("/base/api/orders?a=1");
        assertThat(values(r, "Host")).containsExactly("10.1.2.3:8080");
    }

    @Test
    void hopByHopAndFramingFieldsAreNotCopied() {
        HttpRequest r = upstream(CLIENT, "Connection", "keep-alive, X-Secret", "Keep-Alive", "timeout=5",
                "TE", "trailers", "Transfer-Encoding", "chunked", "Content-Length", "5", "Upgrade", "h2c",
                "Proxy-Authorization", "Basic eA==", "X-Secret", "s", "Accept", "text/plain");
        for (String name : List.of("Connection", "Keep-Alive", "TE", "Transfer-Encoding", "Content-Length",
                "Upgrade", "Proxy-Authorization", "X-Secret")) {
            assertThat(r.containsHeader(name)).as(name).isFalse();
        }
        assertThat(values(r, "Accept")).containsExactly("text/plain");
    }

    @Test
    void aClientCannotNominateTheGatewaysOwnHeadersAway() {
        HttpRequest r = upstream(config(), CLIENT, List.of(new BasicHeader("X-User-Id", "alice")),
                "Connection", "X-User-Id, X-Forwarded-For, X-Request-Id, traceparent, Via, Forwarded");
        assertThat(values(r, "X-User-Id")).containsExactly("alice");
        assertThat(values(r, "X-Forwarded-For")).containsExactly(CLIENT);
        assertThat(values(r, "X-Request-Id")).containsExactly("req-1");
        assertThat(r.containsHeader("traceparent")).isTrue();
        assertThat(r.containsHeader("Forwarded")).isTrue();
        assertThat(values(r, "Via")).containsExactly("1.1 tollgate");
    }

    @Test
    void forwardingHeadersFromAnUntrustedClientAreReplaced() {
        HttpRequest r = upstream(CLIENT, "X-Forwarded-For", "1.2.3.4", "X-Forwarded-Host", "evil",
                "Forwarded", "for=1.2.3.4");
        assertThat(values(r, "X-Forwarded-For")).containsExactly(CLIENT);
        assertThat(values(r, "X-Forwarded-Host")).containsExactly("gw.example");
        assertThat(values(r, "Forwarded")).containsExactly("for=" + CLIENT + ";proto=https;host=gw.example");
    }

    @Test
    void clientAddressHeadersPassOnlyFromATrustedProxy() {
        String[] sent = {"X-Real-IP", "203.0.113.7", "true-client-ip", "203.0.113.7", "X-Client-IP", "203.0.113.7",
                "CF-Connecting-IP", "203.0.113.7", "X-Cluster-Client-IP", "203.0.113.7", "X_Real_IP", "203.0.113.7"};
        HttpRequest fromClient = upstream(CLIENT, sent);
        for (int i = 0; i < sent.length; i += 2) {
            assertThat(fromClient.containsHeader(sent[i])).as(sent[i]).isFalse();
        }
        HttpRequest fromProxy = upstream(PROXY, sent);
        assertThat(values(fromProxy, "X-Real-IP")).containsExactly("203.0.113.7");
        assertThat(values(fromProxy, "CF-Connecting-IP")).containsExactly("203.0.113.7");
    }

    @Test
    void theComputedClientAddressCanBeSetUnderAConfiguredName() {
        GatewayConfig c = config("gateway.forwarding.client-address-header = X-Real-IP");
        assertThat(values(upstream(c, CLIENT, List.of(), "X-Real-IP", "203.0.113.7"), "X-Real-IP"))
                .containsExactly(CLIENT);
        // behind a trusted proxy: the right-most untrusted hop of X-Forwarded-For
        assertThat(values(upstream(c, PROXY, List.of(), "X-Forwarded-For", "192.0.2.9"), "X-Real-IP"))
                .containsExactly("192.0.2.9");
    }

    @Test
    void otherGatewaysIdentityHeadersAreStrippedInAnyCaseAndRepetition() {
        HttpRequest r = upstream(PROXY, "X-Consumer-ID", "1", "x-consumer-username", "bob", "X-Consumer-Id", "2",
                "X-Credential-Identifier", "k", "X-Authenticated-Userid", "bob", "X-Authenticated-Scope", "admin",
                "X-Userinfo", "e30=", "X-Forwarded-User", "bob", "X-Remote-User", "bob", "Remote-User", "bob",
                "X_Consumer_Id", "3", "X-Consumerism", "kept", "Accept", "*/*");
        assertThat(Arrays.stream(r.getHeaders()).map(Header::getName).toList())
                .containsExactlyInAnyOrder("Host", "X-Consumerism", "Accept", "X-Forwarded-For", "X-Forwarded-Proto",
                        "X-Forwarded-Host", "X-Forwarded-Port", "Forwarded", "Via", "X-Request-Id", "traceparent");
    }

    @Test
    void theStripListIsConfigurableAndCanBeTurnedOff() {
        GatewayConfig own = config("gateway.forwarding.strip-headers = X-Tenant-*, X-Debug");
        HttpRequest r = upstream(own, CLIENT, List.of(), "X-Tenant-Id", "t", "x-debug", "1", "X-Consumer-Id", "1");
        assertThat(r.containsHeader("X-Tenant-Id")).isFalse();
        assertThat(r.containsHeader("X-Debug")).isFalse();
        assertThat(values(r, "X-Consumer-Id")).containsExactly("1");
        GatewayConfig off = config("gateway.forwarding.strip-headers =");
        assertThat(values(upstream(off, CLIENT, List.of(), "X-Consumer-Id", "1"), "X-Consumer-Id"))
                .containsExactly("1");
    }

    @Test
    void theRoutesRequestRulesComeLast() {
        GatewayConfig c = config("gateway.routes.api.request-headers.set.X-Tenant = acme",
                "gateway.routes.api.request-headers.remove = Cookie");
        HttpRequest r = upstream(c, CLIENT, List.of(), "X-Tenant", "other", "Cookie", "a=b");
        assertThat(values(r, "X-Tenant")).containsExactly("acme");
        assertThat(r.containsHeader("Cookie")).isFalse();
    }

    @Test
    void theResponseLosesHopByHopFieldsAndGainsViaAndTheRequestId() {
        GatewayConfig c = config("gateway.routes.api.response-headers.remove = Server");
        RequestHead head = new RequestHead("GET", "/api/x", null, List.of(), List.of(),
                new RequestHead.Peer(CLIENT, "http", "gw", 80, "HTTP/1.1", false, CLIENT), new Route(c.routes().get(0)), "req-2",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        BasicHttpResponse up = new BasicHttpResponse(200);
        up.addHeader("Connection", "X-Hop");
        up.addHeader("X-Hop", "1");
        up.addHeader("Keep-Alive", "timeout=5");
        up.addHeader("Content-Length", "42");
        up.addHeader("Server", "nginx");
        up.addHeader("Set-Cookie", "a=1");
        up.addHeader("Set-Cookie", "b=2");
        HeaderPolicy.ResponseHead out = new HeaderPolicy(new Forwarding(c.proxy().forwarding())).response(up, head);
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.contentLength()).isEqualTo(42);
        assertThat(out.headers()).extracting(Header::getName)
                .containsExactly("Set-Cookie", "Set-Cookie", "Via", "X-Request-Id");
        assertThat(out.headers()).extracting(Header::getValue).contains("a=1", "b=2", "1.1 tollgate", "req-2");
    }
}
