package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisServer;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WarServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoints of the real WAR on a Jetty with two connectors: the public one, and the admin one bound
 * to 127.0.0.1 that {@code gateway.admin.port} names. A catch-all route proves admin paths are never routed.
 */
@Tag("redis")
class AdminIT {
    private static final String TOKEN = "admin-token-0123456789-abcdefghij";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)");
    private static final Pattern METER_ROW = Pattern.compile("^\\| `(tollgate\\.[a-z_.]+)` \\| (timer|gauge|counter) \\|",
            Pattern.MULTILINE);
    private static UpstreamServer upstream;
    private static RedisServer redis;
    private static WarServer gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new UpstreamServer("behind-admin");
        redis = RedisServer.startNew();
        gateway = new WarServer(Files.createTempFile("tollgate-admin", ".properties"), true, false).start(
                String.join("\n",
                        "gateway.services.up.instances = " + upstream.uri(),
                        "gateway.routes.all.path = /**",
                        "gateway.routes.all.service = up",
                        "gateway.redis.uri = " + redis.uri(),
                        "gateway.redis.retry-interval = 100ms",
                        "gateway.admin.enabled = true",
                        "gateway.admin.port = ${ADMIN_PORT}",
                        "gateway.admin.token = " + TOKEN));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        redis.close();
        upstream.close();
    }

    private static HttpResponse<String> admin(String path) throws Exception {
        return gateway.get(gateway.adminUri(path), "Authorization", "Bearer " + TOKEN);
    }

    @Test
    void prometheusScrapeHasEveryDocumentedMeter() throws Exception {
        assertThat(gateway.get(gateway.publicUri("/warm-up")).statusCode()).isEqualTo(200);
        // the request is recorded when the filter chain returns, which may be just after the client has its answer
        HttpResponse<String> scrape = Poll.until(Duration.ofSeconds(10), () -> admin("/_tollgate/metrics"),
                s -> s.body().contains("tollgate_service_requests_seconds_count{service=\"up\""));
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain").contains("version=0.0.4");
        Set<String> names = new TreeSet<>();
        for (String line : scrape.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            Double.parseDouble(m.group(3));
            names.add(m.group(1));
        }
        // the core table of docs/observability.md "Metrics"; feature pages document their own meters
        String readme = Files.readString(Path.of("docs/observability.md"));
        int from = readme.indexOf("\n## Metrics");
        Matcher row = METER_ROW.matcher(readme.substring(from, readme.indexOf("\n## ", from + 1)));
        int documented = 0;
        while (row.find()) {
            documented++;
            String base = row.group(1).replace('.', '_');
            String expected = switch (row.group(2)) {
                case "timer" -> base + "_seconds_count";
                case "counter" -> base + "_total";
                default -> base;
            };
            assertThat(names).as("documented meter " + row.group(1)).contains(expected);
        }
        assertThat(documented).isGreaterThanOrEqualTo(10);
        assertThat(scrape.body()).contains("tollgate_route_requests_seconds_count{route=\"all\",status=\"2xx\"}");
    }

    @Test
    void everyAdminCallNeedsTheToken() throws Exception {
        HttpResponse<String> none = gateway.get(gateway.adminUri("/_tollgate/health/live"));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tollgate-admin\"");
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(gateway.get(gateway.adminUri("/_tollgate/metrics"), "Authorization", "Bearer " + TOKEN + "x")
                .statusCode()).isEqualTo(401);
        assertThat(gateway.get(gateway.adminUri("/_tollgate/metrics"), "Authorization", "Basic " + TOKEN)
                .statusCode()).isEqualTo(401);
    }

    @Test
    void adminPathsThroughThePublicPortAre404AndNeverReachTheUpstream() throws Exception {
        int seen = upstream.count();
        for (String path : new String[] {"/_tollgate/metrics", "/_tollgate/health/ready", "/_tollgate",
                "/%5Ftollgate/info", "/_tollgate/"}) {
            HttpResponse<String> r = gateway.get(gateway.publicUri(path), "Authorization", "Bearer " + TOKEN);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).contains("No route matches this request.");
        }
        assertThat(upstream.count()).isEqualTo(seen);
        assertThat(gateway.get(gateway.publicUri("/anything-else")).statusCode()).isEqualTo(200);
    }

    @Test
    void theAdminPortNeverProxies() throws Exception {
        int seen = upstream.count();
        assertThat(admin("/api/orders").statusCode()).isEqualTo(404);
        assertThat(admin("/_tollgate/nothing-here").statusCode()).isEqualTo(404);
        assertThat(upstream.count()).isEqualTo(seen);
    }

    @Test
    void livenessAndDetails() throws Exception {
        HttpResponse<String> live = admin("/_tollgate/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("UP");
        JsonNode info = JSON.readTree(admin("/_tollgate/info").body());
        assertThat(info.path("routes").get(0).path("name").asText()).isEqualTo("all");
        assertThat(info.path("services").path("up").path("instances").asInt()).isEqualTo(1);
        assertThat(info.path("httpClientPool").path("max").asInt()).isEqualTo(512);
        assertThat(info.path("draining").asBoolean()).isFalse();
        assertThat(info.path("configSource").asText()).endsWith(".properties");
        assertThat(info.toString()).doesNotContain(TOKEN);
    }

    /** Redis down degrades the gateway but does not take it out of rotation: every use of Redis has a fallback. */
    @Test
    void readinessReportsRedisAndStaysReadyWithoutIt() throws Exception {
        HttpResponse<String> up = admin("/_tollgate/health/ready");
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        JsonNode checks = JSON.readTree(up.body()).path("checks");
        assertThat(checks.path("redis").path("status").asText()).isEqualTo("UP");
        assertThat(checks.path("draining").path("status").asText()).isEqualTo("UP");
        assertThat(checks.path("discovery").path("status").asText()).isEqualTo("UP");
        redis.stop();
        try {
            HttpResponse<String> degraded = admin("/_tollgate/health/ready");
            assertThat(degraded.statusCode()).as(degraded.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(degraded.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.path("checks").path("redis").path("status").asText()).isEqualTo("DEGRADED");
            assertThat(body.path("checks").path("redis").path("detail").asText()).contains("PING failed");
            assertThat(admin("/_tollgate/health/live").statusCode()).as("liveness ignores Redis").isEqualTo(200);
        } finally {
            redis.start();
        }
        assertThat(ServerProcess.poll(AdminIT::redisUp, Duration.ofSeconds(10))).as("UP again once Redis answers")
                .isTrue();
    }

    private static boolean redisUp() {
        try {
            return "UP".equals(JSON.readTree(admin("/_tollgate/health/ready").body())
                    .path("checks").path("redis").path("status").asText());
        } catch (Exception e) {
            return false;
        }
    }
}
