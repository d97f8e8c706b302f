package dev.tollgate.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real 3-master Redis Cluster on loopback: three {@code redis-server --cluster-enabled yes} processes on free
 * ports, joined with {@code redis-cli --cluster create} (no replicas), ready once every node reports
 * {@code cluster_state:ok}. Persistence off, data in a temporary directory. Not thread-safe; one per test class.
 */
public final class RedisCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

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
        for (int i = 0; i < 3; i++) {
            int port = ServerProcess.freePort();
            Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
            processes.add(new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "",
                    "--appendonly", "no", "--dir", nodeDir.toString(), "--protected-mode", "no")
                    .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
            ports.add(port);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int port : ports) {
            while (!cli(port, "PING").contains("PONG")) {
                pause(deadline, "redis-server on port " + port + " did not start");
            }
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(p -> create.add("127.0.0.1:" + p));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String out = run(create);
        if (!out.contains("All 16384 slots covered")) {
            throw new IOException("redis-cli --cluster create failed: " + out);
        }
        for (int port : ports) {
            while (!cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
                pause(deadline, "the cluster did not reach cluster_state:ok");
            }
        }
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

    /** Runs {@code redis-cli} against one node (no redirects: e.g. a {@code PUBLISH} on that very node). */
    public String commandOn(int node, String... args) throws IOException, InterruptedException {
        return cli(ports.get(node), args).trim();
    }

    /** Runs {@code redis-cli -c} (following redirects) against the first node and returns its output. */
    public String command(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-c", "-p", String.valueOf(ports.get(0))));
        cmd.addAll(List.of(args));
        return run(cmd).trim();
    }

    /** How many keys matching a pattern each node holds, in node order. */
    public List<Long> keysPerNode(String pattern) throws IOException, InterruptedException {
        List<Long> out = new ArrayList<>();
        for (int port : ports) {
            out.add(cli(port, "--scan", "--pattern", pattern).lines().filter(l -> !l.isBlank()).count());
        }
        return out;
    }

    private static String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
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
