package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.StdoutGate;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WarServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access log of the real WAR, written to standard output ({@code gateway.access-log.path = stdout}, as in the
 * container image): one ECS JSON line per request with the documented fields and no secret, and a stuck output
 * that never holds up a request (lines beyond the queue are dropped and counted).
 */
class AccessLogIT {
    private static final String TOKEN = "admin-token-0123456789-abcdefghij";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer upstream;
    private static WarServer gateway;
    private static StdoutGate appender;

    @BeforeAll
    static void start() throws Exception {
        appender = StdoutGate.install("\"event.dataset\":\"tollgate.access\"");
        upstream = new UpstreamServer("logged");
        gateway = new WarServer(Files.createTempFile("tollgate-access", ".properties"), true, true).start(
                String.join("\n",
                        "gateway.services.up.instances = " + upstream.uri(),
                        "gateway.routes.api.path = /api/**",
                        "gateway.routes.api.service = up",
                        "gateway.access-log.queue-size = 4",
                        "gateway.access-log.path = stdout",
                        "gateway.admin.enabled = true",
                        "gateway.admin.port = ${ADMIN_PORT}",
                        "gateway.admin.token = " + TOKEN));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (gateway != null) {
                gateway.close();
            }
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            appender.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        assertThat(Poll.until(Duration.ofSeconds(10), condition)).as(what).isTrue();
    }

    private JsonNode lineFor(String requestId) throws Exception {
        await(() -> appender.lines().stream().anyMatch(l -> l.contains("\"" + requestId + "\"")), requestId);
        for (String l : appender.lines()) {
            JsonNode n = JSON.readTree(l);
            if (requestId.equals(n.path("http.request.id").asText())) {
                return n;
            }
        }
        throw new AssertionError("no line for " + requestId);
    }

    @Test
    void eachRequestIsOneEcsJsonLineWithoutSecrets() throws Exception {
        String trace = "0af7651916cd43dd8448eb211c80319c";
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(gateway.publicUri("/api/orders?api_key=sekrit-query"))
                .header("X-Request-Id", "log-1")
                .header("traceparent", "00-" + trace + "-b7ad6b7169203331-01")
                .header("Authorization", "Bearer sekrit-bearer")
                .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);
        http.send(HttpRequest.newBuilder(gateway.publicUri("/nowhere")).header("X-Request-Id", "log-2").build(),
                HttpResponse.BodyHandlers.ofString());

        JsonNode ok = lineFor("log-1");
        assertThat(ok.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(ok.path("event.dataset").asText()).isEqualTo("tollgate.access");
        assertThat(ok.path("trace.id").asText()).isEqualTo(trace);
        assertThat(ok.path("client.ip").asText()).isEqualTo("127.0.0.1");
        assertThat(ok.path("http.request.method").asText()).isEqualTo("POST");
        assertThat(ok.path("url.path").asText()).isEqualTo("/api/orders");
        assertThat(ok.path("http.version").asText()).isEqualTo("1.1");
        assertThat(ok.path("tollgate.route").asText()).isEqualTo("api");
        assertThat(ok.path("service.target.name").asText()).isEqualTo("up");
        assertThat(ok.path("tollgate.upstream").asText()).isEqualTo(upstream.uri());
        assertThat(ok.path("http.response.status_code").isInt()).isTrue();
        assertThat(ok.path("http.response.status_code").asInt()).isEqualTo(200);
        assertThat(ok.path("http.request.body.bytes").asLong()).isEqualTo(5);
        assertThat(ok.path("http.response.body.bytes").asLong()).isEqualTo(posted.body().length());
        assertThat(ok.path("event.duration").asLong()).isPositive();
        assertThat(ok.has("user.id")).as("anonymous request").isFalse();

        JsonNode missed = lineFor("log-2");
        assertThat(missed.path("http.response.status_code").asInt()).isEqualTo(404);
        assertThat(missed.has("tollgate.route")).isFalse();
        assertThat(missed.path("http.response.body.bytes").asLong()).isPositive();

        for (String line : appender.lines()) {
            assertThat(line).doesNotContain("sekrit");
        }
    }

    @Test
    void aStuckWriterNeverHoldsUpRequestsAndDropsAreCounted() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long dropped0 = dropped();
        int written0 = appender.lines().size();
        appender.hold();
        http.send(HttpRequest.newBuilder(gateway.publicUri("/api/first")).build(), HttpResponse.BodyHandlers.ofString());
        await(() -> appender.blocked() == 1, "the writer is stuck in the appender");
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(http.send(HttpRequest.newBuilder(gateway.publicUri("/api/burst/" + i))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertThat(statuses).hasSize(20).containsOnly(200);
        // the queue holds 4 of the 20 lines; the other 16 are dropped
        await(() -> dropped() - dropped0 == 16, "16 drops counted, was " + (dropped() - dropped0));
        appender.open();
        await(() -> appender.lines().size() - written0 == 5, "the first line and the 4 queued ones are written");
        assertThat(appender.lines().subList(written0, written0 + 5)).allSatisfy(l -> assertThat(JSON.readTree(l)
                .path("url.path").asText()).startsWith("/api/"));
    }

    private static long dropped() {
        try {
            HttpResponse<String> scrape = gateway.get(gateway.adminUri("/_tollgate/metrics"),
                    "Authorization", "Bearer " + TOKEN);
            for (String line : scrape.body().split("\n")) {
                if (line.startsWith("tollgate_access_log_dropped_total ")) {
                    return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
                }
            }
            throw new AssertionError("no tollgate_access_log_dropped_total in\n" + scrape.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
