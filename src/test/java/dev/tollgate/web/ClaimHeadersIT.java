package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.RecordingAppender;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-route claim headers through the real WAR, to a real upstream that records what it received: a nested claim
 * and an array arrive as headers, a client can set a mapped header on no route, and a value that would break a
 * header is not sent.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClaimHeadersIT {
    private static final KeyPair KEY = Jwts.rsa();
    private static final String LOGGER = "dev.tollgate.auth.ClaimHeaders";
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("app");
        String claims = "gateway.routes.tenants.claim-headers.";
        return GatewayDeployment.war(String.join("\n",
                "gateway.limits.reject-underscore-headers = false",
                "gateway.auth.jwt.keys.k1.algorithm = RS256",
                "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(KEY.getPublic()).replace("\n", ""),
                "gateway.services.app.instances = " + upstream.uri(),
                "gateway.routes.open.path = /open/**",
                "gateway.routes.open.service = app",
                "gateway.routes.other.path = /other/**",
                "gateway.routes.other.service = app",
                "gateway.routes.other.auth = jwt",
                "gateway.routes.tenants.path = /tenants/**",
                "gateway.routes.tenants.service = app",
                "gateway.routes.tenants.auth = jwt",
                claims + "X-Tenant = tenant_id",
                claims + "X-Realm-Roles = /realm_access/roles",
                claims + "X-Org = /https:~1~1example.com~1org",
                claims + "X-Address = address",
                claims + "X-Note = note"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    private static String token(Map<String, ?> claims) {
        return Jwts.claims("k1", Instant.now(), "alice").withPayload(claims).sign(Jwts.rs256(KEY));
    }

    private String get(String path, String... headers) throws Exception {
        return RawHttp.get(base, path, headers);
    }

    @Test
    void nestedClaimsAndArraysReachTheUpstreamInPlaceOfTheClients() throws Exception {
        String t = token(Map.of("tenant_id", "t-42", "realm_access", Map.of("roles", List.of("reader", "writer")),
                "https://example.com/org", "acme"));
        for (int i = 0; i < 2; i++) { // verified, then from the level-1 cache
            String r = get("/tenants/1", "Authorization: Bearer " + t, "X-Tenant: t-evil", "x_tenant: t-evil2",
                    "X-Realm-Roles: admin");
            assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
            UpstreamServer.Seen seen = upstream.last();
            assertThat(seen.headers("X-Tenant")).containsExactly("t-42");
            assertThat(seen.headers("x_tenant")).isEmpty();
            assertThat(seen.headers("X-Realm-Roles")).containsExactly("reader,writer");
            assertThat(seen.headers("X-Org")).containsExactly("acme");
            assertThat(seen.headers("X-User-Id")).containsExactly("alice");
        }
    }

    @Test
    void aClientCannotSetAMappedHeaderOnARouteWithoutTheMapping() throws Exception {
        String bearer = "Authorization: Bearer " + token(Map.of("tenant_id", "t-42"));
        // an open route, and an authenticating one that maps no claims
        for (String[] request : List.of(new String[] {"/open/x", "X-Open: 1"}, new String[] {"/other/x", bearer})) {
            String r = get(request[0], request[1], "X-Tenant: t-evil", "X-TENANT: t-evil2", "x_tenant: t-evil3",
                    "X-Org: evil", "X-Other: kept");
            assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
            UpstreamServer.Seen seen = upstream.last();
            assertThat(seen.target()).startsWith(request[0]);
            for (String name : List.of("X-Tenant", "x_tenant", "X-Org")) {
                assertThat(seen.headers(name)).as(request[0] + " " + name).isEmpty();
            }
            assertThat(seen.header("X-Other")).isEqualTo("kept");
        }
    }

    @Test
    void aValueThatWouldBreakAHeaderIsNotSentAndWarnedOnceWithoutTheValue() throws Exception {
        RecordingAppender log = RecordingAppender.attach(LOGGER, "%level %msg%n");
        try {
            String t = token(Map.of("tenant_id", "t-7", "note", "n1\r\nX-Admin: yes",
                    "address", Map.of("city", "Oslo")));
            for (int i = 0; i < 3; i++) {
                String r = get("/tenants/1", "Authorization: Bearer " + t, "X-Note: client", "X-Address: client");
                assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
                UpstreamServer.Seen seen = upstream.last();
                assertThat(seen.headers("X-Note")).isEmpty();
                assertThat(seen.headers("X-Admin")).isEmpty();
                assertThat(seen.headers("X-Address")).isEmpty();
                assertThat(seen.headers("X-Tenant")).containsExactly("t-7");
            }
        } finally {
            log.detach(LOGGER);
        }
        List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARN")).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("route=tenants", "claim-header=X-Note",
                "claim=note", "the value holds a control character"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("claim-header=X-Address",
                "the value is an object"));
        assertThat(String.join("", log.lines())).doesNotContain("n1").doesNotContain("X-Admin").doesNotContain("Oslo");
    }
}
