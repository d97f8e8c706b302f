package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.route.Route;
import dev.tollgate.testsupport.Configs;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.junit.jupiter.api.Test;

/** The CORS fields of responses on CORS routes, and their absence elsewhere, without a container. */
class CorsHeaderPolicyTest {
    private static final String APP = "https://app.example.com";
    private static final String CORS = "gateway.routes.api.cors.";

    private static List<String> response(GatewayConfig c, String origin, String... upstream) {
        List<Header> in = new ArrayList<>();
        if (origin != null) {
            in.add(new BasicHeader("Origin", origin));
        }
        RequestHead head = new RequestHead("GET", "/api/x", null, in, List.of(),
                new RequestHead.Peer("198.51.100.7", "https", "gw", 443, "HTTP/1.1", false,
                        "198.51.100.7"), new Route(c.routes().get(0)),
                "req-3", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        BasicHttpResponse up = new BasicHttpResponse(200);
        for (int i = 0; i + 1 < upstream.length; i += 2) {
            up.addHeader(upstream[i], upstream[i + 1]);
        }
        List<String> out = new ArrayList<>();
        for (Header h : new HeaderPolicy(new Forwarding(c.proxy().forwarding())).response(up, head).headers()) {
            out.add(h.getName() + ": " + h.getValue());
        }
        return out;
    }

    @Test
    void theUpstreamsCorsFieldsAreReplacedByTheRoutes() {
        GatewayConfig c = Configs.withApiRoute(CORS + "allowed-origins = " + APP, CORS + "allow-credentials = true",
                CORS + "exposed-headers = X-Request-Id");
        List<String> out = response(c, APP, "Access-Control-Allow-Origin", "*",
                "access-control-allow-credentials", "false", "Access-Control-Expose-Headers", "X-Secret",
                "Access-Control-Max-Age", "99", "Content-Type", "text/plain");
        assertThat(out).filteredOn(h -> h.toLowerCase().startsWith("access-control-")).containsExactly(
                "Access-Control-Allow-Origin: " + APP, "Access-Control-Allow-Credentials: true",
                "Access-Control-Expose-Headers: X-Request-Id");
        assertThat(out).contains("Content-Type: text/plain", "Vary: Origin");
    }

    @Test
    void aDisallowedOriginGetsNoCorsFieldsOnlyVary() {
        GatewayConfig c = Configs.withApiRoute(CORS + "allowed-origins = " + APP);
        List<String> out = response(c, "https://evil.test", "Access-Control-Allow-Origin", "*");
        assertThat(out).noneMatch(h -> h.startsWith("Access-Control-")).contains("Vary: Origin");
    }

    @Test
    void anUpstreamVaryNamingOriginIsNotRepeated() {
        GatewayConfig c = Configs.withApiRoute(CORS + "allowed-origins = " + APP);
        assertThat(response(c, APP, "Vary", "Accept-Encoding, Origin")).filteredOn(h -> h.startsWith("Vary"))
                .containsExactly("Vary: Accept-Encoding, Origin");
        assertThat(response(c, APP, "Vary", "Accept-Encoding")).filteredOn(h -> h.startsWith("Vary"))
                .containsExactly("Vary: Accept-Encoding", "Vary: Origin");
    }

    @Test
    void theRoutesResponseRulesStillApplyLast() {
        GatewayConfig c = Configs.withApiRoute(CORS + "allowed-origins = " + APP,
                "gateway.routes.api.response-headers.set.Access-Control-Max-Age = 5");
        assertThat(response(c, APP)).contains("Access-Control-Allow-Origin: " + APP, "Access-Control-Max-Age: 5");
    }

    @Test
    void aRouteWithoutCorsPassesTheUpstreamsFieldsUnchanged() {
        GatewayConfig c = Configs.withApiRoute();
        List<String> out = response(c, APP, "Access-Control-Allow-Origin", "https://up.test", "Vary", "Accept");
        assertThat(out).contains("Access-Control-Allow-Origin: https://up.test", "Vary: Accept")
                .doesNotContain("Vary: Origin");
    }
}
