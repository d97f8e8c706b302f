package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.ExtraGateway;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisServer;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Rate limits in a real redis-server shared by two gateway instances (the Arquillian deployment and a second
 * embedded Jetty running the same WAR): exactly the limit is admitted under concurrent load, and when Redis is
 * stopped each rule follows its failure policy until Redis is back.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("redis")
class RedisRateLimitIT {
    private static final int LIMIT = 40;
    private static UpstreamServer upstream;
    private static RedisServer redis;
    private static ExtraGateway second;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ArquillianResource
    private URL base;

    private static String config(boolean jmx) {
        return String.join("\n",
                "gateway.metrics.jmx.enabled = " + jmx,
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.redis.uri = " + redis.uri(),
                "gateway.redis.retry-interval = 200ms",
                "gateway.redis.timeout = 2s", // a loaded test machine must not look like an outage
                "gateway.rate-limit.policy = redis",
                "gateway.rate-limit.instances = 2",
                "gateway.rate-limit.rules.exact.limit = " + LIMIT,
                "gateway.rate-limit.rules.exact.window = 1h",
                "gateway.rate-limit.rules.exact.key = route",
                "gateway.rate-limit.rules.exact.failure-policy = fail-closed", // a Redis hiccup shows as 503
                "gateway.rate-limit.rules.open.limit = 2",
                "gateway.rate-limit.rules.open.window = 1h",
                "gateway.rate-limit.rules.open.key = route",
                "gateway.rate-limit.rules.open.failure-policy = fail-open",
                "gateway.rate-limit.rules.closed.limit = 100",
                "gateway.rate-limit.rules.closed.window = 1h",
                "gateway.rate-limit.rules.closed.key = route",
                "gateway.rate-limit.rules.closed.failure-policy = fail-closed",
                "gateway.rate-limit.rules.shared.limit = 6",
                "gateway.rate-limit.rules.shared.window = 1h",
                "gateway.rate-limit.rules.shared.key = route",
                "gateway.routes.exact.path = /exact/**",
                "gateway.routes.exact.service = up",
                "gateway.routes.exact.rate-limit = exact",
                "gateway.routes.open.path = /open/**",
                "gateway.routes.open.service = up",
                "gateway.routes.open.rate-limit = open",
                "gateway.routes.closed.path = /closed/**",
                "gateway.routes.closed.service = up",
                "gateway.routes.closed.rate-limit = closed",
                "gateway.routes.shared.path = /shared/**",
                "gateway.routes.shared.service = up",
                "gateway.routes.shared.rate-limit = shared");
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("redis-limited");
        redis = RedisServer.startNew();
        second = new ExtraGateway(GatewayDeployment.war(config(false)));
        return GatewayDeployment.war(config(true));
    }

    @AfterAll
    static void stop() throws Exception {
        second.close();
        redis.close();
        upstream.close();
    }

    private String first() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    private HttpResponse<String> get(String gateway, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoInstancesAdmitExactlyTheLimitUnderConcurrentLoad() throws Exception {
        List<String> gateways = List.of(first(), second.uri());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    int[] counts = new int[2];
                    for (int n = 0; n < 10; n++) {
                        int status = get(gateways.get((thread + n) % 2), "/exact/" + n).statusCode();
                        counts[status == 200 ? 0 : 1]++;
                        assertThat(status).isIn(200, 429);
                    }
                    return counts;
                }));
            }
            go.countDown();
            int allowed = 0;
            int rejected = 0;
            for (Future<int[]> f : futures) {
                allowed += f.get()[0];
                rejected += f.get()[1];
            }
            assertThat(allowed).isEqualTo(LIMIT);
            assertThat(rejected).isEqualTo(160 - LIMIT);
        } finally {
            pool.shutdownNow();
        }
        assertThat(redis.command("KEYS tollgate:rl:*:exact")).as("the bucket lives in Redis").isEqualTo("*1");
    }

    @Test
    void redisOutageFollowsEachRulesPolicyAndRecovers() throws Exception {
        assertThat(get(first(), "/shared/x").headers().firstValue("RateLimit-Policy"))
                .hasValue("\"shared\";q=6;w=3600");
        redis.stop();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> open = get(first(), "/open/x");
                assertThat(open.statusCode()).as("fail-open lets everything through").isEqualTo(200);
                assertThat(open.headers().firstValue("RateLimit")).isEmpty();
            }
            HttpResponse<String> closed = get(first(), "/closed/x");
            assertThat(closed.statusCode()).as("fail-closed").isEqualTo(503);
            assertThat(closed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(closed.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(closed.body()).contains("\"status\":503").doesNotContain("127.0.0.1");

            List<Integer> shared = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = get(first(), "/shared/x");
                shared.add(r.statusCode());
                assertThat(r.headers().firstValue("RateLimit-Policy")).as("the local share of 6 over 2 instances")
                        .hasValue("\"shared\";q=3;w=3600");
            }
            assertThat(shared).containsExactly(200, 200, 200, 429, 429);
        } finally {
            redis.start();
        }
        int status = Poll.until(Duration.ofSeconds(20), () -> get(first(), "/closed/x").statusCode(), s -> s == 200);
        assertThat(status).as("recovered without a restart").isEqualTo(200);
        assertThat(get(first(), "/shared/x").headers().firstValue("RateLimit"))
                .as("shared in Redis again (the restarted Redis is empty)").hasValue("\"shared\";r=5;t=3600");
    }
}
