package dev.tollgate.bench;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.auth.AuthRuntime;
import dev.tollgate.auth.AuthStats;
import dev.tollgate.auth.BearerTokens;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.LoadBalancing;
import dev.tollgate.discovery.InstanceOutcome;
import dev.tollgate.discovery.Lease;
import dev.tollgate.discovery.Services;
import dev.tollgate.redis.Redis;
import dev.tollgate.resilience.ServiceGuard;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * In-process per-call costs of the feature code on the request path, with the real classes (no JMH here: a
 * warm-up, then {@code BATCHES} timed batches, the median batch reported in ns per operation; one thread):
 * <ul>
 *   <li>auth: an uncached RS256 verification (a distinct token each time, through {@link BearerTokens}
 *       with an empty level 1), a level-1 hit (the same token again), a level-2 hit (a token verified by another
 *       gateway instance, found in a real redis-server, with this instance's level 1 empty), a level-1 hit
 *       with the redis policy, and an uncached ES256 verification for reference;</li>
 *   <li>discovery: {@code Services.choose} + {@code Lease.release} for round-robin, weighted and least-request
 *       over three static instances;</li>
 *   <li>resilience: {@code ServiceGuard.isolate(attempt(no-op))} (bulkhead + closed breaker, as the proxy servlet
 *       wraps each request) against the bare no-op.</li>
 * </ul>
 * Usage: {@code FeatureCostMain <results.md>} (also prints the table). Needs {@code redis-server} on the PATH.
 */
public final class FeatureCostMain {
    private static final int TOKENS = 2000;
    private static final int BATCHES = 5;
    private static volatile long sink;

    private record Row(String name, double nsPerOp, String note) {
    }

    private final List<Row> rows = new ArrayList<>();

    private FeatureCostMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FeatureCostMain <results.md>");
            System.exit(2);
        }
        FeatureCostMain m = new FeatureCostMain();
        m.auth();
        m.selection();
        m.guard();
        StringBuilder md = new StringBuilder("| operation | ns/op | note |\n|---|---:|---|\n");
        for (Row r : m.rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %s |%n", r.name, r.nsPerOp, r.note));
        }
        Files.writeString(Path.of(args[0]), md.toString(), StandardCharsets.UTF_8);
        System.out.print(md);
        System.exit(0);
    }

    private void add(String name, double ns, String note) {
        rows.add(new Row(name, ns, note));
        System.err.printf(Locale.ROOT, "%s: %.0f ns/op%n", name, ns);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Warm-up rounds of {@code op}, then the median ns/op of {@link #BATCHES} batches of {@code n} calls. */
    private static double time(int warmups, int n, Callable<Long> op) throws Exception {
        for (int w = 0; w < warmups; w++) {
            for (int i = 0; i < n; i++) {
                sink += op.call();
            }
        }
        double[] ns = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += op.call();
            }
            ns[b] = (System.nanoTime() - t0) / (double) n;
        }
        return median(ns);
    }

    // ------------------------------------------------------------------ auth

    private static GatewayConfig authConfig(KeyPair rsa, String redisUri) {
        List<String> lines = new ArrayList<>(List.of(
                "gateway.auth.jwt.keys.bench.algorithm = RS256",
                "gateway.auth.jwt.keys.bench.public-key = " + Jwts.pem(rsa.getPublic()).replace("\n", ""),
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.r.path = /**",
                "gateway.routes.r.service = s",
                "gateway.routes.r.auth = jwt"));
        if (redisUri != null) {
            lines.addAll(List.of("gateway.redis.uri = " + redisUri, "gateway.auth.cache = redis",
                    "gateway.auth.cache.redis-timeout = 1s"));
        }
        return Configs.of(lines.toArray(new String[0]));
    }

    private static AuthRuntime authRuntime(GatewayConfig c, Redis redis) {
        return new AuthRuntime(c.auth(), c.redis(), redis, Clock.systemUTC(), Ticker.systemTicker());
    }

    /** Each pass: a fresh runtime (empty level 1) authenticates every token once; returns ns per token. */
    private static double perTokenPass(List<String> tokens, AuthFactory factory, int warmups,
                                       java.util.function.Predicate<AuthStats> expected) throws Exception {
        double[] ns = new double[BATCHES];
        for (int p = -warmups; p < BATCHES; p++) {
            try (AuthFactory.Open open = factory.open()) {
                BearerTokens t = open.auth().tokens();
                long t0 = System.nanoTime();
                for (String token : tokens) {
                    sink += t.authenticate(token).subject().length();
                }
                long el = System.nanoTime() - t0;
                if (!expected.test(t.stats())) {
                    throw new IllegalStateException("unexpected cache statistics: verifications "
                            + t.stats().verifications() + ", l1 hits " + t.stats().l1Hits() + ", l2 hits "
                            + t.stats().l2Hits());
                }
                if (p >= 0) {
                    ns[p] = el / (double) tokens.size();
                }
            }
        }
        return median(ns);
    }

    /** Opens one gateway instance's authentication runtime (and its Redis client, if any). */
    @FunctionalInterface
    private interface AuthFactory {
        Open open();

        record Open(AuthRuntime auth, Redis redis) implements AutoCloseable {
            @Override
            public void close() throws Exception {
                auth.close();
                if (redis != null) {
                    redis.close();
                }
            }
        }
    }

    private void auth() throws Exception {
        KeyPair rsa = Jwts.rsa();
        Instant now = Instant.now();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) {
            tokens.add(Jwts.claims("bench", now, "user-" + i).withExpiresAt(now.plus(Duration.ofDays(1)))
                    .withClaim("roles", List.of("user")).sign(Jwts.rs256(rsa)));
        }
        int n = tokens.size();

        GatewayConfig local = authConfig(rsa, null);
        double uncached = perTokenPass(tokens, () -> new AuthFactory.Open(authRuntime(local, null), null), 2,
                s -> s.verifications() == n);
        add("auth: uncached RS256 verification", uncached,
                "distinct tokens, empty level 1: hash + level-1 miss + RS256 verify + claims + level-1 put");

        try (AuthFactory.Open open = new AuthFactory.Open(authRuntime(local, null), null)) {
            BearerTokens t = open.auth().tokens();
            String one = tokens.get(0);
            double l1 = time(3, 500_000, () -> (long) t.authenticate(one).subject().length());
            add("auth: level-1 hit", l1, String.format(Locale.ROOT, "the same token again (SHA-256 of the token"
                    + " + Caffeine lookup); %.3f x the uncached cost (goal <= 0.10 x)", l1 / uncached));
        }

        try (RedisServer server = RedisServer.startNew()) {
            GatewayConfig shared = authConfig(rsa, server.uri());
            try (AuthFactory.Open writer = open(shared)) {
                for (String token : tokens) {
                    writer.auth().tokens().authenticate(token);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (keys(server) < n && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                BearerTokens t = writer.auth().tokens();
                String one = tokens.get(0);
                double l1 = time(3, 500_000, () -> (long) t.authenticate(one).subject().length());
                add("auth: level-1 hit, redis policy", l1, String.format(Locale.ROOT, "as above, with the revocation"
                        + " check against the synced in-process replica of the Redis list (no round trip); %.3f x"
                        + " the uncached cost", l1 / uncached));
            }
            double l2 = perTokenPass(tokens, () -> open(shared), 2, s -> s.l2Hits() == n && s.verifications() == 0);
            add("auth: level-2 hit (Redis)", l2, String.format(Locale.ROOT, "verified by another instance, empty"
                    + " level 1: one Redis GET on the request thread (the token cache's 50 ms client) + claims;"
                    + " %.2f x the uncached RS256 cost", l2 / uncached));
            try (Redis redis = Redis.open(shared.redis())) {
                String key = "bench:raw";
                redis.call(j -> j.set(key, "x"));
                double raw = time(2, 10_000, () -> (long) redis.call(j -> j.get(key)).length());
                add("auth: for reference, a bare Redis GET", raw,
                        "Redis.call(get) on the request thread: the loopback round trip");
            }
        }

        KeyPair ec = Jwts.ec(256);
        List<String> esTokens = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) {
            esTokens.add(Jwts.claims("bench", now, "user-" + i).withExpiresAt(now.plus(Duration.ofDays(1)))
                    .withClaim("roles", List.of("user")).sign(com.auth0.jwt.algorithms.Algorithm.ECDSA256(
                            (java.security.interfaces.ECPublicKey) ec.getPublic(),
                            (java.security.interfaces.ECPrivateKey) ec.getPrivate())));
        }
        GatewayConfig es = Configs.of("gateway.auth.jwt.keys.bench.algorithm = ES256",
                "gateway.auth.jwt.keys.bench.public-key = " + Jwts.pem(ec.getPublic()).replace("\n", ""),
                "gateway.services.s.instances = http://127.0.0.1:1", "gateway.routes.r.path = /**",
                "gateway.routes.r.service = s", "gateway.routes.r.auth = jwt");
        double esUncached = perTokenPass(esTokens, () -> new AuthFactory.Open(authRuntime(es, null), null), 2,
                s -> s.verifications() == n);
        add("auth: for reference, uncached ES256 verification", esUncached,
                "as the RS256 row, with a P-256 key: the algorithm where a level-2 hit pays off most");
    }

    private static long keys(RedisServer server) {
        String reply = server.command("DBSIZE");
        return reply.startsWith(":") ? Long.parseLong(reply.substring(1).trim()) : -1;
    }

    /** An instance on the shared Redis, once its revocation replica has synced (as after its start-up). */
    private static AuthFactory.Open open(GatewayConfig c) {
        Redis redis = Redis.open(c.redis());
        AuthRuntime auth = authRuntime(c, redis);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!auth.tokens().revocationsSynced()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the revocation replica did not sync within 30 s");
            }
            Thread.onSpinWait();
        }
        return new AuthFactory.Open(auth, redis);
    }

    // ------------------------------------------------------------------ discovery and resilience

    private static GatewayConfig serviceConfig() {
        return Configs.of("gateway.services.sel.instances = http://127.0.0.1:1, http://127.0.0.1:2, http://127.0.0.1:3",
                "gateway.services.sel.weights = 1, 2, 3",
                "gateway.routes.r.path = /**",
                "gateway.routes.r.service = sel");
    }

    private void selection() throws Exception {
        GatewayConfig c = serviceConfig();
        try (Services services = new Services(c.upstreams().services(), c.upstreams().consul(), Clock.systemUTC())) {
            Set<dev.tollgate.discovery.Instance> none = Set.of();
            for (LoadBalancing lb : LoadBalancing.values()) {
                double ns = time(3, 2_000_000, () -> {
                    Lease lease = services.choose("sel", lb, none);
                    long v = lease.instance().hashCode();
                    lease.release(InstanceOutcome.SUCCESS);
                    return v;
                });
                add("discovery: choose + release, " + lb.label(), ns, "3 static instances (weights 1, 2, 3)");
            }
        }
    }

    private void guard() throws Exception {
        GatewayConfig c = serviceConfig();
        ServiceGuard guard = new ServiceGuard("sel", c.upstreams().services().get("sel").resilience(),
                Clock.systemUTC(),
                t -> true);
        Callable<Integer> noop = () -> 200;
        double bare = time(3, 2_000_000, () -> (long) noop.call());
        java.util.concurrent.CompletableFuture<Integer> ok = java.util.concurrent.CompletableFuture.completedFuture(200);
        double guarded = time(3, 500_000, () -> {
            if (!guard.tryEnter()) {
                throw new IllegalStateException("bulkhead full");
            }
            try {
                guard.recordRequest();
                return (long) guard.attempt(() -> ok, r -> r >= 502).toCompletableFuture().join();
            } finally {
                guard.exit();
            }
        });
        add("resilience: no-op, bare", bare, "baseline");
        add("resilience: no-op inside the guard", guarded,
                "bulkhead place + recordRequest + attempt (closed breaker, CompletionStage), as the proxy core wraps a request");
    }
}
