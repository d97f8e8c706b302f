package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication and rate limiting together through the real WAR: the principal the auth filter establishes
 * (here from API keys) picks the rule by plan and the bucket by subject or API key, and the client address
 * no longer decides.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PrincipalRateLimitIT {
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("plans");
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.auth.api-keys.goldie.sha256 = " + sha256("gold-key-0123456789"),
                "gateway.auth.api-keys.goldie.owner = goldie",
                "gateway.auth.api-keys.goldie.plan = gold",
                "gateway.auth.api-keys.freddy.sha256 = " + sha256("free-key-0123456789"),
                "gateway.auth.api-keys.freddy.owner = freddy",
                "gateway.auth.api-keys.freddy.plan = free",
                "gateway.auth.api-keys.frida.sha256 = " + sha256("free-key-abcdefghij"),
                "gateway.auth.api-keys.frida.owner = frida",
                "gateway.auth.api-keys.frida.plan = free",
                "gateway.rate-limit.rules.gold.limit = 4",
                "gateway.rate-limit.rules.gold.window = 1h",
                "gateway.rate-limit.rules.gold.key = principal",
                "gateway.rate-limit.rules.gold.plans = gold",
                "gateway.rate-limit.rules.free.limit = 2",
                "gateway.rate-limit.rules.free.window = 1h",
                "gateway.rate-limit.rules.free.key = api-key",
                "gateway.rate-limit.rules.free.plans = free",
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.api.auth = api-key",
                "gateway.routes.api.rate-limit = gold, free"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    private int get(String key) throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            return RawHttp.status(c.send("GET /api/x HTTP/1.1\r\nHost: gw\r\nX-API-Key: " + key
                    + "\r\nConnection: close\r\n\r\n").readAll());
        }
    }

    @Test
    void thePlanPicksTheRuleAndEachCallerHasItsOwnBucket() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(get("gold-key-0123456789")).as("gold request " + i).isEqualTo(200);
        }
        assertThat(get("gold-key-0123456789")).isEqualTo(429);

        // same client address, other callers: the free plan's limit, per API key
        assertThat(get("free-key-0123456789")).isEqualTo(200);
        assertThat(get("free-key-0123456789")).isEqualTo(200);
        assertThat(get("free-key-0123456789")).isEqualTo(429);
        assertThat(get("free-key-abcdefghij")).isEqualTo(200);

        // an unauthenticated request never reaches the limiter's buckets: 401 first
        assertThat(get("wrong-key-0000000000")).isEqualTo(401);
    }
}
