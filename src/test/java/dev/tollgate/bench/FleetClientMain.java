package dev.tollgate.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The load client of the fleet benchmark ({@code bench/fleet.sh}): many identities through several gateway
 * instances that share one Redis (or a Redis Cluster), one rate-limit algorithm per phase.
 *
 * <p>{@code FleetClientMain identities <dir> <users> <keys>} writes {@code <dir>/auth.properties} (an HS256 key as
 * gateway properties) and {@code <dir>/identities.txt}: {@code jwt u-<i> <token>} per user (subject
 * {@code u-<i>}, valid a day) and {@code key k-<i> <api key>} per API key.
 *
 * <p>{@code FleetClientMain run key=value...} stores the API keys in Redis (owner {@code k-<i>}), then per phase
 * keeps {@code concurrency} requests in flight, closed loop, each to the next gateway in turn, each from an
 * identity picked at random: with probability {@code hot-share} one of the first {@code hot} (half users, half
 * keys), else any. The first phase ({@code warmup} s) goes over every route; then one phase of {@code phase} s
 * per route in {@code routes} (a route named as its rule, keyed by principal). Per phase it reads each
 * gateway's CPU time ({@code /proc/<pid>/stat}, {@code pids}, {@code hz}) and Redis's figures
 * ({@link FleetRedisStats}) before and after, and appends a report ({@link FleetReport}) to {@code report}.
 */
public final class FleetClientMain {
    /** One caller: a JWT user or an API key. */
    record Identity(String kind, String name, String credential) {
    }

    private final Map<String, String> settings;
    private final List<URI> gateways = new ArrayList<>();
    private final List<Integer> redisPorts = new ArrayList<>();
    private final List<Integer> pids = new ArrayList<>();
    private final List<Identity> identities = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(2)).build();
    private final AtomicLong turn = new AtomicLong();

    private FleetClientMain(Map<String, String> settings) {
        this.settings = settings;
        for (String g : setting("gateways").split(",")) {
            gateways.add(URI.create(g.trim()));
        }
        for (String p : setting("redis-ports").split(",")) {
            redisPorts.add(Integer.parseInt(p.trim()));
        }
        for (String p : setting("pids").split(",")) {
            pids.add(Integer.parseInt(p.trim()));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("identities")) {
            identities(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        if (args.length < 1 || !args[0].equals("run")) {
            System.err.println("usage: FleetClientMain identities <dir> <users> <keys> | run key=value...");
            System.exit(2);
        }
        Map<String, String> settings = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        new FleetClientMain(settings).run();
        System.exit(0);
    }

    private String setting(String key) {
        String v = settings.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing setting " + key);
        }
        return v;
    }

    private static void identities(Path dir, int users, int keys) throws Exception {
        Files.createDirectories(dir);
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        Algorithm hs256 = Algorithm.HMAC256(hex);
        Instant now = Instant.now();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < users; i++) {
            String token = JWT.create().withKeyId("fleet").withSubject("u-" + i).withIssuedAt(now)
                    .withExpiresAt(now.plus(Duration.ofDays(1))).withJWTId("fleet-" + i).sign(hs256);
            lines.append("jwt u-").append(i).append(' ').append(token).append('\n');
        }
        for (int i = 0; i < keys; i++) {
            byte[] key = new byte[18];
            random.nextBytes(key);
            lines.append("key k-").append(i).append(' ').append(HexFormat.of().formatHex(key)).append('\n');
        }
        Files.writeString(dir.resolve("identities.txt"), lines, StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("auth.properties"), "gateway.auth.jwt.keys.fleet.algorithm = HS256\n"
                + "gateway.auth.jwt.keys.fleet.secret = " + hex + "\n", StandardCharsets.US_ASCII);
    }

    private void run() throws Exception {
        for (String line : Files.readAllLines(Path.of(setting("identities")))) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                identities.add(new Identity(f[0], f[1], f[2]));
            }
        }
        storeApiKeys();
        List<String> routes = List.of(setting("routes").split(","));
        FleetReport report = new FleetReport(settings, gateways.size(), identities, hot());
        runPhase("warmup", routes, Integer.parseInt(setting("warmup")), null);
        for (String route : routes) {
            runPhase(route, List.of(route), Integer.parseInt(setting("phase")), report);
        }
        report.write(Path.of(setting("report")));
    }

    /** The API keys in Redis, as {@code gateway.auth.api-key.redis-lookup} reads them. */
    private void storeApiKeys() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (UnifiedJedis redis = Boolean.parseBoolean(setting("cluster"))
                ? RedisClusterClient.builder().nodes(Set.of(new HostAndPort("127.0.0.1", redisPorts.get(0)))).build()
                : RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", redisPorts.get(0))).build()) {
            for (Identity id : identities) {
                if (id.kind().equals("key")) {
                    String hash = HexFormat.of().formatHex(sha.digest(id.credential().getBytes(StandardCharsets.UTF_8)));
                    redis.set("tollgate:auth:apikey:" + hash, "{\"id\":\"" + id.name() + "\",\"owner\":\""
                            + id.name() + "\"}");
                }
            }
        }
    }

    /** The hot identities' indexes: the first users and the first keys, half each. */
    private List<Integer> hot() {
        int n = Integer.parseInt(setting("hot"));
        List<Integer> out = new ArrayList<>();
        int users = 0;
        int keys = 0;
        for (int i = 0; i < identities.size() && out.size() < n; i++) {
            boolean user = identities.get(i).kind().equals("jwt");
            if (user && users < (n + 1) / 2) {
                out.add(i);
                users++;
            } else if (!user && keys < n / 2) {
                out.add(i);
                keys++;
            }
        }
        return out;
    }

    private void runPhase(String name, List<String> routes, int seconds, FleetReport report) throws Exception {
        FleetPhase phase = new FleetPhase(gateways.size(), identities.size());
        List<Integer> hot = hot();
        double hotShare = Double.parseDouble(setting("hot-share"));
        int concurrency = Integer.parseInt(setting("concurrency"));
        long[] ticksBefore = ticks();
        FleetRedisStats before = FleetRedisStats.read(redisPorts);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            next(phase, routes, hot, hotShare, end, done);
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] ticksAfter = ticks();
        FleetRedisStats after = FleetRedisStats.read(redisPorts);
        System.out.printf("phase %s: %.1f s%n", name, elapsed);
        if (report != null) {
            long[] cpu = new long[pids.size()];
            for (int g = 0; g < cpu.length; g++) {
                cpu[g] = ticksAfter[g] - ticksBefore[g];
            }
            report.add(name, phase, elapsed, cpu, after.since(before), after.cpuSeconds() - before.cpuSeconds(),
                    after.evalshaMicros() - before.evalshaMicros(), FleetRedisStats.keys(redisPorts, name));
        }
    }

    /** Sends one request, and when it is answered the next one, until {@code end}. */
    private void next(FleetPhase phase, List<String> routes, List<Integer> hot, double hotShare, long end,
                      CountDownLatch done) {
        if (System.nanoTime() - end >= 0) {
            done.countDown();
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int who = random.nextDouble() < hotShare ? hot.get(random.nextInt(hot.size()))
                : random.nextInt(identities.size());
        Identity id = identities.get(who);
        int g = (int) (turn.getAndIncrement() % gateways.size());
        String route = routes.get(random.nextInt(routes.size()));
        HttpRequest.Builder b = HttpRequest.newBuilder(gateways.get(g).resolve("/" + route + "/x"))
                .timeout(Duration.ofSeconds(10)).GET();
        if (id.kind().equals("jwt")) {
            b.header("Authorization", "Bearer " + id.credential());
        } else {
            b.header("X-API-Key", id.credential());
        }
        long t0 = System.nanoTime();
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            phase.record(g, who, r == null ? -1 : r.statusCode(), System.nanoTime() - t0);
            next(phase, routes, hot, hotShare, end, done);
        });
    }

    /** Each gateway's CPU time so far (utime + stime, clock ticks, all threads). */
    private long[] ticks() throws Exception {
        long[] out = new long[pids.size()];
        for (int g = 0; g < out.length; g++) {
            String stat = Files.readString(Path.of("/proc/" + pids.get(g) + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            out[g] = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        return out;
    }
}
