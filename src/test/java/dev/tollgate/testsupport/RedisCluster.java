package dev.tollgate.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A real 3-master Redis Cluster on loopback: three {@code redis-server --cluster-enabled yes} processes
 * ({@link RedisBinary}) on free ports, each given a third of the 16384 slots and joined with {@code CLUSTER MEET}
 * (what {@code redis-cli --cluster create} does, here over Jedis; no replicas), ready once every node knows all
 * three and reports {@code cluster_state:ok}. Persistence off, data in a temporary directory. Not thread-safe;
 * one per test class.
 */
public final class RedisCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int SLOTS = 16384;

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RedisCluster(Path dir) {
        this.dir = dir;
    }

    public static RedisCluster startNew() throws IOException, InterruptedException {
        RedisCluster cluster = new RedisCluster(Files.createTempDirectory("tollgate-cluster"));
        try {
            cluster.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void start() throws IOException, InterruptedException {
        String executable = RedisBinary.path();
        for (int i = 0; i < 3; i++) {
            int port = ServerProcess.freePort();
            Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
            processes.add(new ProcessBuilder(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "",
                    "--appendonly", "no", "--dir", nodeDir.toString(), "--protected-mode", "no")
                    .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
            ports.add(port);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int port : ports) {
            while (!"PONG".equals(reply(port, "PING"))) {
                pause(deadline, "redis-server on port " + port + " did not start");
            }
        }
        for (int i = 0; i < 3; i++) {
            try (Jedis node = node(ports.get(i))) {
                node.sendCommand(Protocol.Command.CLUSTER, "SET-CONFIG-EPOCH", String.valueOf(i + 1));
                node.clusterAddSlots(IntStream.range(SLOTS * i / 3, SLOTS * (i + 1) / 3).toArray());
            }
        }
        try (Jedis first = node(ports.get(0))) {
            for (int port : ports.subList(1, 3)) {
                first.clusterMeet("127.0.0.1", port);
            }
        }
        for (int port : ports) {
            while (!ready(port)) {
                pause(deadline, "the cluster did not reach cluster_state:ok with three known nodes");
            }
        }
    }

    private static boolean ready(int port) {
        String info = reply(port, "CLUSTER", "INFO");
        return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
    }

    /** {@code redis://127.0.0.1:<port of the first node>}, for configurations that need a URI. */
    public String uri() {
        return "redis://127.0.0.1:" + ports.get(0);
    }

    /**
     * Every node as a seed, {@code redis://127.0.0.1:<port>, ...}: the value of {@code gateway.redis.uri} with
     * {@code gateway.redis.cluster = true}.
     */
    public String seeds() {
        List<String> out = new ArrayList<>();
        ports.forEach(p -> out.add("redis://127.0.0.1:" + p));
        return String.join(", ", out);
    }

    /** The nodes' ports, in node order. */
    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** Runs one command on one node (no redirects: e.g. a {@code PUBLISH} on that very node); the reply as text. */
    public String commandOn(int node, String... args) {
        return reply(ports.get(node), args);
    }

    /** Runs one command on the first node, following a {@code MOVED} redirect to the slot's owner; the reply. */
    public String command(String... args) {
        try {
            return reply(ports.get(0), args);
        } catch (JedisMovedDataException moved) {
            return reply(moved.getTargetNode().getPort(), args);
        }
    }

    /** How many keys matching a pattern each node holds, in node order. */
    public List<Long> keysPerNode(String pattern) {
        List<Long> out = new ArrayList<>();
        for (int port : ports) {
            try (Jedis node = node(port)) {
                long count = 0;
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = node.scan(cursor, new ScanParams().match(pattern).count(1000));
                    count += page.getResult().size();
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
                out.add(count);
            }
        }
        return out;
    }

    private static Jedis node(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder().timeoutMillis(5000).build());
    }

    /** The reply of one command on one node as text (lines for an array, empty for none or an error). */
    private static String reply(int port, String... args) {
        ProtocolCommand command = () -> SafeEncoder.encode(args[0]);
        try (Jedis node = node(port)) {
            return text(node.sendCommand(command, Arrays.copyOfRange(args, 1, args.length)));
        } catch (JedisConnectionException e) {
            return "";
        }
    }

    private static String text(Object reply) {
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> items) {
            StringBuilder out = new StringBuilder();
            items.forEach(item -> out.append(out.length() == 0 ? "" : "\n").append(text(item)));
            return out.toString();
        }
        return reply == null ? "" : reply.toString();
    }

    private static void pause(long deadline, String failure) throws IOException, InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IOException(failure);
        }
        Thread.sleep(50);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
