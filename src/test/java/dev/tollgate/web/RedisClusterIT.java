package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.ExtraGateway;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisCluster;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two gateway instances (the Arquillian deployment and a second embedded Jetty running the same WAR) configured
 * with {@code gateway.redis.cluster = true} and the seed nodes of a real 3-master Redis Cluster: rate limits
 * whose buckets spread over the masters admit exactly the limit across both instances, and the token cache and
 * revocations are shared through the cluster.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("redis")
class RedisClusterIT {
    private static final int LIMIT = 5;
    private static final int TENANTS = 8;
    private static final KeyPair SIGNER = Jwts.rsa();
    private static UpstreamServer upstream;
    private static RedisCluster cluster;
    private static JwksServer jwks;
    private static ExtraGateway second;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ArquillianResource
    private URL base;

    private static final String ADMIN_TOKEN = "cluster-admin-token-0123456789";

    private static String config(boolean jmx, String jwksUri) {
        return String.join("\n",
                // the second instance's meters, read through its admin endpoint (JMX is the first's)
                "gateway.admin.enabled = " + !jmx,
                "gateway.admin.port = any",
                "gateway.admin.token = " + ADMIN_TOKEN,
                "gateway.metrics.jmx.enabled = " + jmx,
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.redis.cluster = true",
                "gateway.redis.uri = " + cluster.seeds(),
                "gateway.redis.retry-interval = 200ms",
                "gateway.redis.timeout = 2s", // a loaded test machine must not look like an outage
                "gateway.rate-limit.policy = redis",
                "gateway.rate-limit.instances = 2",
                "gateway.rate-limit.rules.tenant.limit = " + LIMIT,
                "gateway.rate-limit.rules.tenant.window = 1h",
                "gateway.rate-limit.rules.tenant.key = header:X-Tenant",
                "gateway.rate-limit.rules.tenant.failure-policy = fail-closed", // a Redis hiccup shows as 503
                "gateway.rate-limit.rules.tenant-day.algorithm = token-bucket",
                "gateway.rate-limit.rules.tenant-day.limit = 1000",
                "gateway.rate-limit.rules.tenant-day.window = 1d",
                "gateway.rate-limit.rules.tenant-day.key = header:X-Tenant",
                "gateway.rate-limit.rules.tenant-day.failure-policy = fail-closed",
                "gateway.routes.limited.path = /limited/**",
                "gateway.routes.limited.service = up",
                "gateway.routes.limited.rate-limit = tenant, tenant-day",
                "gateway.auth.cache = redis",
                "gateway.auth.cache.redis-timeout = 2s",
                "gateway.auth.jwt.jwks-uri = " + jwksUri,
                "gateway.routes.orders.path = /orders/**",
                "gateway.routes.orders.service = up",
                "gateway.routes.orders.auth = jwt");
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("cluster-app");
        cluster = RedisCluster.startNew();
        jwks = new JwksServer(Jwts.jwks(Jwts.jwk("signer", SIGNER.getPublic(), "RS256")));
        // the same provider settings on both: a result cached by one is bound to settings the other shares
        second = new ExtraGateway(GatewayDeployment.war(config(false, jwks.uri())));
        return GatewayDeployment.war(config(true, jwks.uri()));
    }

    @AfterAll
    static void stop() throws Exception {
        second.close();
        cluster.close();
        jwks.close();
        upstream.close();
    }

    private String first() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    private HttpResponse<String> get(String gateway, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoInstancesAdmitExactlyTheLimitPerIdentityAcrossTheMasters() throws Exception {
        List<String> gateways = List.of(first(), second.uri());
        Map<String, AtomicInteger> allowed = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < 12; n++) {
                        String tenant = "tenant-" + ((thread + n) % TENANTS);
                        int status = get(gateways.get((thread + n) % 2), "/limited/" + n, "X-Tenant", tenant)
                                .statusCode();
                        assertThat(status).as("decided in Redis: no 503 from fail-closed").isIn(200, 429);
                        if (status == 200) {
                            allowed.computeIfAbsent(tenant, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(allowed).hasSize(TENANTS);
        allowed.forEach((tenant, n) -> assertThat(n.get()).as(tenant).isEqualTo(LIMIT));
        List<Long> keys = cluster.keysPerNode("tollgate:rl:*");
        assertThat(keys.stream().mapToLong(Long::longValue).sum()).as("two buckets per tenant").isEqualTo(2 * TENANTS);
        assertThat(keys.stream().filter(k -> k > 0).count()).as("spread over the masters: %s", keys)
                .isGreaterThanOrEqualTo(2);
    }

    private static String token(String subject) {
        Instant now = Instant.now();
        return Jwts.claims("signer", now, subject).withExpiresAt(now.plus(Duration.ofMinutes(10)))
                .withJWTId("cluster-it-" + subject).sign(Jwts.rs256(SIGNER));
    }

    private HttpResponse<String> order(String gateway, String token) throws Exception {
        return get(gateway, "/orders/1", "Authorization", "Bearer " + token);
    }

    /** The value of one meter line of the second instance's Prometheus scrape, e.g. {@code tollgate_auth_verifications_total}. */
    private double secondMeter(String line) throws Exception {
        String scrape = get(second.uri(), "/_tollgate/metrics", "Authorization", "Bearer " + ADMIN_TOKEN).body();
        return scrape.lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(line.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(line));
    }

    @Test
    void aTokenVerifiedOnOneInstanceIsAcceptedOnTheOtherUntilRevoked() throws Exception {
        String t = token("alice");
        assertThat(order(first(), t).statusCode()).isEqualTo(200);
        String key = "tollgate:auth:token:*:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(t.getBytes(StandardCharsets.UTF_8)));
        // level-2 writes are queued
        assertThat(Poll.until(Duration.ofSeconds(10),
                () -> cluster.keysPerNode(key).stream().mapToLong(Long::longValue).sum() == 1))
                .as("level-2 entry in the cluster").isTrue();
        double verified = secondMeter("tollgate_auth_verifications_total");
        assertThat(order(second.uri(), t).statusCode()).as("shared level 2").isEqualTo(200);
        assertThat(secondMeter("tollgate_auth_verifications_total")).as("not verified again").isEqualTo(verified);
        assertThat(secondMeter("tollgate_auth_cache_hits_total{level=\"2\"}")).isPositive();

        Object answer = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("tollgate:type=TokenCache"),
                "revoke", new Object[] {"cluster-it-alice", 60L}, new String[] {"java.lang.String", "long"});
        assertThat(answer).asString().contains("all instances");
        assertThat(order(first(), t).statusCode()).isEqualTo(401);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // announced over pub/sub, which a cluster broadcasts to every node
        while (order(second.uri(), t).statusCode() != 401) {
            assertThat(System.nanoTime()).as("the revocation holds on the other instance").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
