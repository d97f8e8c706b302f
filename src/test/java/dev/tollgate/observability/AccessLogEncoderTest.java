package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class AccessLogEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FIELD_ROW = Pattern.compile("^\\| `([a-z_.@]+)` \\| (long|keyword|text|boolean|date) \\|",
            Pattern.MULTILINE);

    private static AccessRecord full() {
        return new AccessRecord(1_700_000_000_123L, new AccessRecord.Request("req-1",
                "0af7651916cd43dd8448eb211c80319c", "203.0.113.9", "GET", "/api/orders", "HTTP/2.0"),
                new AccessRecord.Target("orders", "order-service", "http://10.0.0.5:8080"),
                new AccessRecord.Result(429, 12, 345, 6_000_000),
                new AccessRecord.Decisions("alice", "rejected", "closed", true));
    }

    private static Map<String, Object> fields(AccessRecord r) {
        Map<String, Object> out = new LinkedHashMap<>();
        EcsAccessSink.fields(r, out::put);
        return out;
    }

    @Test
    void writesOneJsonLineWithTypedEcsFields() throws Exception {
        AccessLogEncoder encoder = new AccessLogEncoder();
        LoggerContext ctx = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        encoder.setContext(ctx);
        encoder.setServiceName("tollgate");
        encoder.setEventDataset("tollgate.access");
        encoder.start();
        LoggingEvent event = new LoggingEvent("x", ctx.getLogger("tollgate.access"), Level.INFO, "GET /api/orders 429",
                null, null);
        AccessRecord r = full();
        event.setTimeStamp(r.startEpochMillis());
        fields(r).forEach((k, v) -> event.addKeyValuePair(new KeyValuePair(k, v)));

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n").containsOnlyOnce("\n");
        JsonNode n = JSON.readTree(line);
        assertThat(n.path("@timestamp").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(n.path("http.response.status_code").isInt()).isTrue();
        assertThat(n.path("http.response.status_code").asInt()).isEqualTo(429);
        assertThat(n.path("event.duration").asLong()).isEqualTo(6_000_000);
        assertThat(n.path("tollgate.cache.hit").isBoolean()).isTrue();
        assertThat(n.path("user.id").asText()).isEqualTo("alice");
        assertThat(n.path("http.version").asText()).isEqualTo("2.0");
        assertThat(n.path("tollgate.rate_limit").asText()).isEqualTo("rejected");
        assertThat(n.path("service.name").asText()).isEqualTo("tollgate");
    }

    @Test
    void unsetValuesAreLeftOut() {
        AccessRecord r = new AccessRecord(0, new AccessRecord.Request("req", null, "127.0.0.1", "GET", "/", "HTTP/1.1"),
                AccessRecord.Target.NONE, new AccessRecord.Result(404, 0, 10, 1), AccessRecord.Decisions.NONE);
        assertThat(fields(r)).doesNotContainKeys("trace.id", "user.id", "tollgate.route", "tollgate.cache.hit");
    }

    @Test
    void documentedFieldTableListsExactlyTheWrittenFields() throws Exception {
        String readme = Files.readString(Path.of("docs/observability.md"));
        int start = readme.indexOf("## Access log");
        assertThat(start).as("docs/observability.md section ## Access log").isPositive();
        Matcher m = FIELD_ROW.matcher(readme.substring(start));
        Set<String> documented = new TreeSet<>();
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> written = new TreeSet<>(fields(full()).keySet());
        written.addAll(Set.of("@timestamp", "message", "event.dataset", "service.name"));
        assertThat(documented).isEqualTo(written);
    }
}
