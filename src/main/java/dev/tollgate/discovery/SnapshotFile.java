package dev.tollgate.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.ConsulServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last good Consul instances of every consul service, saved as JSON so that a gateway can start while
 * Consul is down. Written whole to a temporary file and moved into place, so a reader never sees half a file.
 * Each entry records the Consul query it answers (service, tags, datacenter); an entry whose query no longer
 * matches the configuration is ignored. Thread-safe ({@link #write} is synchronized).
 *
 * <pre>
 * {"version":1,"services":{"orders":{"consulService":"orders","tags":[],"datacenter":null,
 *   "confirmedAt":"2025-01-01T00:00:00Z","instances":[{"scheme":"http","host":"10.0.0.5","port":8080,"weight":1}]}}}
 * </pre>
 */
final class SnapshotFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One saved service: the query it answers and its snapshot. */
    record Entry(ConsulServiceConfig query, InstanceSnapshot snapshot) {
    }

    private final Path path;

    SnapshotFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /**
     * The saved snapshots by gateway service name, each marked stale; empty when there is no file.
     *
     * @throws IOException when the file exists but cannot be read or parsed
     */
    Map<String, Entry> read() throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        if (root == null || root.path("version").asInt() != 1 || !root.path("services").isObject()) {
            throw new IOException("not a Tollgate discovery snapshot (version 1)");
        }
        Map<String, Entry> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("services").properties()) {
            JsonNode s = e.getValue();
            List<String> tags = new ArrayList<>();
            s.path("tags").forEach(t -> tags.add(t.asText()));
            String dc = s.path("datacenter").isTextual() ? s.path("datacenter").asText() : null;
            ConsulServiceConfig query = new ConsulServiceConfig(s.path("consulService").asText(), tags, dc,
                    "http");
            List<WeightedInstance> instances = new ArrayList<>();
            for (JsonNode i : s.path("instances")) {
                instances.add(new WeightedInstance(new Instance(i.path("scheme").asText("http"),
                        i.path("host").asText(), i.path("port").asInt(), ""), Math.max(1, i.path("weight").asInt(1))));
            }
            out.put(e.getKey(), new Entry(query, new InstanceSnapshot(instances,
                    Instant.parse(s.path("confirmedAt").asText()), true)));
        }
        return out;
    }

    /** Saves the snapshots, replacing the file atomically. */
    synchronized void write(Map<String, Entry> entries) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        ObjectNode services = root.putObject("services");
        entries.forEach((name, entry) -> {
            ObjectNode s = services.putObject(name);
            s.put("consulService", entry.query().service());
            ArrayNode tags = s.putArray("tags");
            entry.query().tags().forEach(tags::add);
            s.put("datacenter", entry.query().datacenter());
            s.put("confirmedAt", entry.snapshot().confirmedAt().toString());
            ArrayNode list = s.putArray("instances");
            for (WeightedInstance w : entry.snapshot().instances()) {
                list.addObject().put("scheme", w.instance().scheme()).put("host", w.instance().host())
                        .put("port", w.instance().port()).put("weight", w.weight());
            }
        });
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether a saved entry answers the configured query. */
    static boolean matches(ConsulServiceConfig saved, ConsulServiceConfig configured, String globalDatacenter) {
        String dc = configured.datacenter() != null ? configured.datacenter() : globalDatacenter;
        return saved.service().equals(configured.service()) && saved.tags().equals(configured.tags())
                && Objects.equals(saved.datacenter(), dc);
    }
}
