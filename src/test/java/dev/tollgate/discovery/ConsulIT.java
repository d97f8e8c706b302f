package dev.tollgate.discovery;

import static dev.tollgate.testsupport.Gateways.attribute;
import static dev.tollgate.testsupport.Gateways.get;
import static dev.tollgate.testsupport.Gateways.upstream;
import static dev.tollgate.testsupport.Gateways.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Consul discovery through the real WAR, with Consul played by {@link FakeConsul} and real upstream servers. Each
 * test uses its own services, so they do not depend on each other's order.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsulIT {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static FakeConsul consul;
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static UpstreamServer a;
    private static UpstreamServer b;
    private static UpstreamServer c;
    private static UpstreamServer local;
    private static int deadPort;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        consul = new FakeConsul();
        a = server("a");
        b = server("b");
        c = server("c");
        local = server("local");
        deadPort = ServerProcess.freePort();
        consul.register("orders", "orders-a", a.port());
        consul.register("flaky", "flaky-good", b.port());
        consul.register("flaky", "flaky-dead", deadPort);
        consul.register("weighted", "w-a", "127.0.0.1", "127.0.0.1", a.port(), 3);
        consul.register("weighted", "w-b", "", "127.0.0.1", b.port(), 1);
        return GatewayDeployment.war(String.join("\n",
                "gateway.consul.address = " + consul.address(),
                "gateway.consul.wait = 10s",
                "gateway.consul.retry-interval = 50ms",
                "gateway.consul.max-retry-interval = 200ms",
                route("orders"), route("flaky"), route("weighted"), route("empty"), route("lr"), route("local"),
                "gateway.services.orders.discovery = consul",
                "gateway.services.flaky.discovery = consul",
                "gateway.services.flaky.passive-health.consecutive-failures = 2",
                "gateway.services.flaky.passive-health.base-ejection-time = 3s",
                "gateway.services.weighted.discovery = consul",
                "gateway.routes.weighted.load-balancer = weighted",
                "gateway.services.empty.discovery = consul",
                "gateway.services.lr.discovery = consul",
                "gateway.services.local.instances = " + local.uri()));
    }

    private static String route(String name) {
        return "gateway.routes." + name + ".path = /" + name + "/**\n"
                + "gateway.routes." + name + ".service = " + name + "\n"
                + "gateway.routes." + name + ".strip-prefix = /" + name;
    }

    private static UpstreamServer server(String name) throws Exception {
        UpstreamServer u = new UpstreamServer(name);
        CLOSE.add(u);
        return u;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable x : CLOSE) {
            x.close();
        }
        consul.close();
    }

    private static List<String> instances(String service) {
        return Arrays.asList((String[]) attribute("tollgate:type=Discovery,name=" + service, "Instances"));
    }

    @Test
    void registeredInstancesGetTrafficAndChangesApplyWithinASecond() {
        assertThat(upstream(base, "/orders/x")).isEqualTo("a");

        consul.register("orders", "orders-b", b.port());
        assertThat(within(ONE_SECOND, () -> upstream(base, "/orders/x").equals("b")))
                .as("the added instance gets traffic within 1 s").isTrue();

        consul.deregister("orders-a");
        assertThat(within(ONE_SECOND, () -> instances("orders").stream().noneMatch(i -> i.contains(":" + a.port()))))
                .as("the removed instance leaves the snapshot within 1 s").isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(upstream(base, "/orders/x")).isEqualTo("b");
        }

        consul.register("orders", "orders-c", c.port());
        consul.health("orders-b", "critical");
        assertThat(within(ONE_SECOND, () -> instances("orders").size() == 1
                && instances("orders").get(0).contains(":" + c.port())))
                .as("an instance whose check turns critical is dropped within 1 s").isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(upstream(base, "/orders/x")).isEqualTo("c");
        }
        assertThat(attribute("tollgate:type=Discovery,name=orders", "Stale")).isEqualTo(false);
        assertThat(attribute("tollgate:type=Discovery,name=orders", "Policy")).isEqualTo("consul");
        assertThat(attribute("tollgate:type=Discovery,name=orders", "LoadBalancer")).isEqualTo("least-request");
    }

    @Test
    void refusingInstanceIsEjectedAndComesBackWhenItHeals() throws Exception {
        List<String> seen = new ArrayList<>();
        String bean = "tollgate:type=Discovery,name=flaky";
        // a GET that meets the refusing instance is retried on the other one (docs/resilience.md), so the
        // client never sees the failure; passive health still counts it
        while ((Long) attribute(bean, "Ejections") == 0L) {
            assertThat(seen).as("the refusing instance is ejected within the first requests").hasSizeLessThan(50);
            seen.add(upstream(base, "/flaky/x"));
        }
        assertThat(seen).containsOnly("b");
        // the outcome is reported when the request ends, which may be just after the client has its answer
        assertThat(within(Duration.ofSeconds(2), () -> ((Long) attribute(bean, "Ejections")) == 1L)).isTrue();
        assertThat((String[]) attribute(bean, "EjectedInstances")).containsExactly("http://127.0.0.1:" + deadPort);
        for (int i = 0; i < 10; i++) {
            assertThat(upstream(base, "/flaky/x")).isEqualTo("b");
        }

        UpstreamServer healed = new UpstreamServer("healed", deadPort);
        CLOSE.add(healed);
        assertThat(within(Duration.ofSeconds(10), () -> upstream(base, "/flaky/x").equals("healed")))
                .as("the instance is tried again after its ejection and serves").isTrue();
        assertThat((String[]) attribute(bean, "EjectedInstances")).isEmpty();
    }

    @Test
    void serviceWithoutInstancesAnswers503WithRetryAfter() {
        HttpResponse<String> r = get(base, "/empty/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).contains("no available instance").doesNotContain("127.0.0.1");
    }

    @Test
    void weightsFromConsulAndTheRoutesBalancerApply() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        for (int i = 0; i < 40; i++) {
            counts.merge(upstream(base, "/weighted/x"), 1, Integer::sum);
        }
        assertThat(counts).isEqualTo(Map.of("a", 30, "b", 10));
    }

    @Test
    void staticAndConsulServicesWorkSideBySide() {
        assertThat(upstream(base, "/local/x")).isEqualTo("local");
        assertThat(attribute("tollgate:type=Discovery,name=local", "Policy")).isEqualTo("static");
        assertThat(attribute("tollgate:type=Discovery,name=local", "LoadBalancer")).isEqualTo("round-robin");
    }

    @Test
    void leastRequestSpreadsLoadAwayFromASlowInstance() throws Exception {
        HttpServer slow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        ExecutorService slowThreads = Executors.newFixedThreadPool(16);
        slow.setExecutor(slowThreads);
        slow.createContext("/", ex -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.getResponseHeaders().set("X-Upstream", "slow");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        slow.start();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            consul.register("lr", "lr-fast", a.port());
            consul.register("lr", "lr-slow", slow.getAddress().getPort());
            assertThat(within(Duration.ofSeconds(5), () -> instances("lr").size() == 2)).isTrue();
            Map<String, Integer> counts = new ConcurrentHashMap<>();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(clients.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        counts.merge(upstream(base, "/lr/x"), 1, Integer::sum);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertThat(counts.get("a") + counts.getOrDefault("slow", 0)).isEqualTo(120);
            assertThat(counts.get("a")).as("%s", counts).isGreaterThan(3 * counts.getOrDefault("slow", 0));
        } finally {
            clients.shutdownNow();
            slow.stop(0);
            slowThreads.shutdownNow();
        }
    }
}
