package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EcsAccessSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AccessRecord record(String id) {
        return new AccessRecord(1_700_000_000_123L, new AccessRecord.Request(id, null, "127.0.0.1", "GET", "/api/x",
                "HTTP/1.1"), new AccessRecord.Target("api", "up", "http://127.0.0.1:9"),
                new AccessRecord.Result(200, 0, 5, 1000), AccessRecord.Decisions.NONE);
    }

    @Test
    void writesOneJsonLinePerRecordToTheFileCreatingItsDirectory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("logs/nested/tollgate-access.json");
        try (EcsAccessSink sink = new EcsAccessSink(new AccessLogDestination(file), file.toString())) {
            sink.accept(record("one"));
            sink.accept(record("two"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.path("http.request.id").asText()).isEqualTo("one");
        assertThat(first.path("@timestamp").asText()).as("the request's arrival").isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(first.path("event.dataset").asText()).isEqualTo("tollgate.access");
        assertThat(JSON.readTree(lines.get(1)).path("http.request.id").asText()).isEqualTo("two");
    }

    @Test
    void aFileThatCannotBeWrittenFailsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("tollgate-access.json");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> new EcsAccessSink(new AccessLogDestination(file), "container"));
        assertThat(e.problems()).singleElement().asString()
                .startsWith("gateway.access-log.path = \"container\": expected a file the gateway can write; cannot open "
                        + file + " (");
    }
}
