package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.StdoutGate;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Weighted, sticky splits and request predicates through the real WAR to two real upstreams, a stable and a
 * canary version: every sticky client stays on one version, the share follows the weights, predicates send
 * chosen requests to the canary, and metrics and the access log name the service that served.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SplitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 8;
    private static UpstreamServer stable;
    private static UpstreamServer canary;
    private static StdoutGate accessLog;
    private final HttpClient http = HttpClient.newHttpClient();
    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        stable = new UpstreamServer("stable");
        canary = new UpstreamServer("canary");
        accessLog = StdoutGate.install("\"event.dataset\":\"tollgate.access\"");
        List<String> lines = new ArrayList<>(List.of(
                "gateway.access-log.path = stdout",
                "gateway.services.stable.instances = " + stable.uri(),
                "gateway.services.canary.instances = " + canary.uri(),
                "gateway.routes.shop.path = /shop/**",
                "gateway.routes.shop.services = stable:1, canary:1",
                "gateway.routes.shop.sticky-by = header:X-User",
                "gateway.routes.shop-canary.path = /shop/**",
                "gateway.routes.shop-canary.match.header.X-Canary = 1",
                "gateway.routes.shop-canary.service = canary",
                "gateway.routes.shop-beta.path = /shop/**",
                "gateway.routes.shop-beta.match.query.beta = true",
                "gateway.routes.shop-beta.service = canary",
                "gateway.routes.shop-gold.path = /shop/**",
                "gateway.routes.shop-gold.match.cookie.tier = gold",
                "gateway.routes.shop-gold.service = canary",
                "gateway.routes.ramp.path = /ramp/**",
                "gateway.routes.ramp.services = stable:95, canary:5",
                "gateway.routes.ramp.sticky-by = cookie:session",
                "gateway.routes.random.path = /random/**",
                "gateway.routes.random.services = stable:1, canary:1",
                "gateway.routes.member.path = /member/**",
                "gateway.routes.member.auth = api-key",
                "gateway.routes.member.services = stable:1, canary:1",
                "gateway.routes.member.sticky-by = principal"));
        for (int i = 0; i < KEYS; i++) {
            lines.add("gateway.auth.api-keys.k" + i + ".sha256 = " + sha256("key-" + i));
            lines.add("gateway.auth.api-keys.k" + i + ".owner = owner-" + i);
        }
        return GatewayDeployment.war(String.join("\n", lines));
    }

    @AfterAll
    static void stop() throws Exception {
        stable.close();
        canary.close();
        accessLog.close();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** The upstream that answered, by its {@code X-Upstream} header. */
    private String served(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort()
                + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return r.headers().firstValue("X-Upstream").orElseThrow();
    }

    @Test
    void eachUserStaysOnOneVersionAndBothVersionsGetUsers() throws Exception {
        Map<String, Integer> users = new TreeMap<>();
        for (int u = 0; u < 200; u++) {
            String first = served("/shop/items", "X-User", "user-" + u);
            for (int i = 0; i < 2; i++) {
                assertThat(served("/shop/items/" + i, "X-User", "user-" + u)).as("user-" + u).isEqualTo(first);
            }
            users.merge(first, 1, Integer::sum);
        }
        // the pick is a fixed hash of the user, so this split of 200 users is the same on every run
        assertThat(users.get("canary")).isBetween(70, 130);
        assertThat(users.get("stable")).isEqualTo(200 - users.get("canary"));
    }

    @Test
    void smallShareByCookieFollowsTheWeights() throws Exception {
        int onCanary = 0;
        for (int s = 0; s < 400; s++) {
            String first = served("/ramp/x", "Cookie", "theme=dark; session=s" + s);
            assertThat(served("/ramp/y", "Cookie", "session=s" + s)).isEqualTo(first);
            onCanary += first.equals("canary") ? 1 : 0;
        }
        assertThat(onCanary).as("sessions on the 5% canary").isBetween(5, 40);
    }

    @Test
    void canaryHeaderQueryAndCookieGoToTheCanary() throws Exception {
        for (int u = 0; u < 20; u++) {
            assertThat(served("/shop/items", "X-User", "user-" + u, "X-Canary", "1")).isEqualTo("canary");
            assertThat(served("/shop/items?beta=true", "X-User", "user-" + u)).isEqualTo("canary");
            assertThat(served("/shop/items", "X-User", "user-" + u, "Cookie", "tier=gold")).isEqualTo("canary");
        }
        String target = canary.last().target();
        assertThat(target).isEqualTo("/shop/items");
        assertThat(served("/shop/items?beta=false", "X-User", "nobody-in-particular", "X-Canary", "0",
                "Cookie", "tier=silver")).isIn("stable", "canary");
    }

    @Test
    void stickyByPrincipalKeepsEachCallerOnOneVersion() throws Exception {
        Map<String, String> byOwner = new TreeMap<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < KEYS; i++) {
                String s = served("/member/me", "X-API-Key", "key-" + i);
                assertThat(byOwner.putIfAbsent("owner-" + i, s) == null || byOwner.get("owner-" + i).equals(s))
                        .as("owner-" + i + " stays on " + byOwner.get("owner-" + i)).isTrue();
            }
        }
    }

    @Test
    void withoutStickinessBothVersionsServe() throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(served("/random/" + i), 1, Integer::sum);
        }
        // a weighted random pick: all 100 on one side has a chance of 2^-99
        assertThat(counts).containsOnlyKeys("stable", "canary");
    }

    @Test
    void metricsAndAccessLogNameTheServiceThatServed() throws Exception {
        Map<String, Long> before = new TreeMap<>();
        for (String service : List.of("stable", "canary")) {
            before.put(service, count(splitMeter(service)));
        }
        Map<String, Integer> tally = new TreeMap<>();
        String[] ids = new String[20];
        String[] by = new String[20];
        for (int u = 0; u < ids.length; u++) {
            ids[u] = "split-log-" + u;
            by[u] = served("/random/metered", "X-Request-Id", ids[u]);
            tally.merge(by[u], 1, Integer::sum);
        }
        for (int u = 0; u < ids.length; u++) {
            // the line is written after the request's metrics are recorded
            JsonNode line = JSON.readTree(await(ids[u]));
            assertThat(line.get("tollgate.route").asText()).isEqualTo("random");
            assertThat(line.get("service.target.name").asText()).as(ids[u]).isEqualTo(by[u]);
        }
        for (String service : List.of("stable", "canary")) {
            assertThat(count(splitMeter(service))).as(service)
                    .isEqualTo(before.get(service) + tally.getOrDefault(service, 0));
        }
        assertThat(jmx.queryNames(new ObjectName("tollgate:name=tollgateRouteSplitRequests.route.shop-canary*,*"),
                null)).as("a route with one service has no split meter").isEmpty();
    }

    private static ObjectName splitMeter(String service) throws Exception {
        return new ObjectName("tollgate:name=tollgateRouteSplitRequests.route.random.service." + service
                + ".status.2xx,type=timers");
    }

    private long count(ObjectName n) throws Exception {
        return jmx.isRegistered(n) ? ((Number) jmx.getAttribute(n, "Count")).longValue() : 0;
    }

    private static String await(String requestId) throws InterruptedException {
        AtomicReference<String> line = new AtomicReference<>();
        Poll.until(Duration.ofSeconds(10), () -> {
            String quoted = "\"" + requestId + "\"";
            accessLog.lines().stream().filter(l -> l.contains(quoted)).findFirst().ifPresent(line::set);
            return line.get() != null;
        });
        if (line.get() == null) {
            throw new AssertionError("no access-log line for " + requestId);
        }
        return line.get();
    }
}
