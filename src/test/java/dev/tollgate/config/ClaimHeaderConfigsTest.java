package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTable;
import dev.tollgate.testsupport.Configs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Start-up validation of the routes' {@code claim-headers.*} keys. */
class ClaimHeaderConfigsTest {
    private static final String P = "gateway.routes.orders.claim-headers.";

    private static String[] lines(String... extra) {
        List<String> all = new ArrayList<>(List.of("gateway.services.s.instances = http://10.0.0.5:8080",
                "gateway.auth.jwt.keys.k.algorithm = HS256",
                "gateway.auth.jwt.keys.k.secret = 0123456789abcdef0123456789abcdef",
                "gateway.routes.orders.path = /api/**", "gateway.routes.orders.service = s",
                "gateway.routes.orders.auth = jwt",
                "gateway.routes.open.path = /open/**", "gateway.routes.open.service = s"));
        all.addAll(List.of(extra));
        return all.toArray(new String[0]);
    }

    private static List<String> problems(String... extra) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Configs.of(lines(extra)));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.problems();
    }

    private static RouteConfig route(GatewayConfig c, String name) {
        return c.routes().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void mapsNamesDottedPathsAndPointers() {
        GatewayConfig c = Configs.of(lines(P + "X-Tenant = tenant_id", P + "X-Roles = realm_access.roles",
                P + "X-Org = /https:~1~1example.com~1org", P + "X-First-Group = /groups/0"));
        assertThat(route(c, "orders").headers().claims()).containsExactly(
                new ClaimHeader("X-First-Group", "/groups/0", List.of("groups", "0")),
                new ClaimHeader("X-Org", "/https:~1~1example.com~1org", List.of("https://example.com/org")),
                new ClaimHeader("X-Roles", "realm_access.roles", List.of("realm_access", "roles")),
                new ClaimHeader("X-Tenant", "tenant_id", List.of("tenant_id")));
        assertThat(route(c, "open").headers().claims()).isEmpty();
    }

    @Test
    void everyMappedNameIsRemovedOnEveryRouteOfTheTable() {
        GatewayConfig c = Configs.of(lines(P + "X-Tenant = tenant_id", P + "x_org = org"));
        for (Route r : new RouteTable(c.routes()).routes()) {
            assertThat(r.claimHeaderNames()).as(r.name()).containsExactlyInAnyOrder("x-tenant", "x-org");
        }
    }

    @Test
    void framingHopByHopAndGatewayHeadersFailStartUpNamingTheKey() {
        for (String name : List.of("Content-Length", "Transfer-Encoding", "Host", "Connection", "TE", "Upgrade",
                "Keep-Alive", "Proxy-Authorization", "X-Forwarded-For", "Forwarded", "Via", "X-Request-Id",
                "traceparent", "Authorization", "Cookie", "content_type")) {
            assertThat(problems(P + name + " = tenant_id")).as(name).containsExactly(P + name
                    + " = \"tenant_id\": expected a header the gateway does not own: not hop-by-hop, framing, "
                    + "content, forwarding, tracing or credential header");
        }
    }

    @Test
    void invalidNamesAndPathsFailStartUpNamingTheKey() {
        assertThat(problems(P + "X-Ten.ant = tenant_id")).containsExactly(
                P + "X-Ten.ant = \"tenant_id\": expected a header name (letters, digits, - and _; no dots)");
        assertThat(problems(P + "X(T) = tenant_id")).containsExactly(
                P + "X(T) = \"tenant_id\": expected a header name (letters, digits, - and _; no dots)");
        String claims = "expected a claim name, a dotted path (realm_access.roles) or a JSON pointer "
                + "(/realm_access/roles)";
        assertThat(problems(P + "X-A = realm_access..roles", P + "X-B = /a~2b", P + "X-C = .roles", P + "X-D = a."))
                .containsExactly(P + "X-A = \"realm_access..roles\": " + claims, P + "X-B = \"/a~2b\": " + claims,
                        P + "X-C = \".roles\": " + claims, P + "X-D = \"a.\": " + claims);
    }

    @Test
    void oneMappingPerHeaderName() {
        assertThat(problems(P + "X-Tenant = tenant_id", P + "x_tenant = org")).containsExactly(
                P + "x_tenant = \"org\": expected one mapping per header name (names compare in any case, _ as -)");
    }

    @Test
    void onlyOnRoutesThatAcceptJwt() {
        assertThat(problems("gateway.routes.open.claim-headers.X-Tenant = tenant_id")).containsExactly(
                "gateway.routes.open.claim-headers.X-Tenant = \"tenant_id\": expected only on a route with "
                        + "gateway.routes.open.auth = jwt or jwt-or-api-key");
    }

    @Test
    void userContextApiKeyAndClientAddressHeadersAreNotClaimHeaders() {
        String expected = "expected a header other than the user-context, API-key and client-address headers";
        assertThat(problems(P + "X-User-Id = sub", P + "x-api-key = sub", P + "X-Real-IP = ip",
                P + "X-Client = ip", "gateway.forwarding.client-address-header = X-Client"))
                .containsExactlyInAnyOrder(P + "X-User-Id = \"sub\": " + expected,
                        P + "x-api-key = \"sub\": " + expected, P + "X-Real-IP = \"ip\": " + expected,
                        P + "X-Client = \"ip\": " + expected);
        assertThat(route(Configs.of(lines("gateway.auth.headers.user-id = X-Subject", P + "X-User-Id = sub")),
                "orders").headers().claims()).hasSize(1);
    }
}
