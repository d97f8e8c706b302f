package dev.tollgate.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConsulServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The saved snapshot: round trip, stale on reading, query matching, bad files. */
class SnapshotFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndReadsBackStale() throws IOException {
        SnapshotFile file = new SnapshotFile(dir.resolve("sub/discovery.json"));
        ConsulServiceConfig query = new ConsulServiceConfig("orders-v2", List.of("prod"), "dc2", "http");
        InstanceSnapshot snap = new InstanceSnapshot(List.of(
                new WeightedInstance(new Instance("https", "10.0.0.5", 8443, ""), 3),
                new WeightedInstance(new Instance("http", "::1", 8080, ""), 1)),
                Instant.parse("2025-03-01T10:00:00Z"), false);
        file.write(Map.of("orders", new SnapshotFile.Entry(query, snap)));

        Map<String, SnapshotFile.Entry> read = file.read();
        assertThat(read).containsOnlyKeys("orders");
        SnapshotFile.Entry e = read.get("orders");
        assertThat(e.snapshot().instances()).isEqualTo(snap.instances());
        assertThat(e.snapshot().confirmedAt()).isEqualTo(snap.confirmedAt());
        assertThat(e.snapshot().stale()).isTrue();
        assertThat(SnapshotFile.matches(e.query(), query, null)).isTrue();
        assertThat(SnapshotFile.matches(e.query(), new ConsulServiceConfig("orders-v2", List.of(), "dc2", "http"),
                null)).isFalse();
        assertThat(SnapshotFile.matches(e.query(), new ConsulServiceConfig("orders-v2", List.of("prod"), null,
                "http"), "dc2")).isTrue();
        try (var files = Files.list(dir.resolve("sub"))) {
            assertThat(files).as("no temporary file left").hasSize(1);
        }
    }

    @Test
    void missingFileIsEmptyAndGarbageIsAnError() throws IOException {
        assertThat(new SnapshotFile(dir.resolve("none.json")).read()).isEmpty();
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"hello\":1}");
        assertThatThrownBy(() -> new SnapshotFile(bad).read()).isInstanceOf(IOException.class);
    }
}
