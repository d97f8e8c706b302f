package dev.tollgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.InstanceSnapshot;
import dev.tollgate.discovery.WeightedInstance;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.UpstreamServer;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reload of {@code consul} services and services with active health checks, on a gateway built in the test.
 * A small server that keeps to Consul's documented HTTP API ({@link FakeConsul}) plays the agent; the upstreams
 * are real HTTP servers. A new or changed service is watched or checked from the reload on; the watcher or checks
 * of the pool it replaced stop once the last request on the replaced runtime has ended.
 */
class ServiceReloadIT {
    private static final String ROUTE = "gateway.routes.r.path = /r/**\ngateway.routes.r.service = orders";

    private static GatewayConfig config(String... lines) {
        List<String> all = new ArrayList<>(List.of("gateway.metrics.jmx.enabled = false"));
        for (String l : lines) {
            all.addAll(List.of(l.split("\n")));
        }
        return Configs.of(all.toArray(String[]::new));
    }

    private static long threads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals(name))
                .count();
    }

    private static List<Integer> ports(GatewayRuntime runtime, String service) {
        InstanceSnapshot s = runtime.services().snapshot(service);
        return s.instances().stream().map(w -> w.instance().port()).sorted().toList();
    }

    @Test
    void aServiceBecomesAConsulServiceAndItsReplacedWatchersStop() throws Exception {
        try (FakeConsul consul = new FakeConsul(); UpstreamServer a = new UpstreamServer("a");
             UpstreamServer b = new UpstreamServer("b")) {
            consul.register("orders", "o-1", b.port());
            String agent = "gateway.consul.address = " + consul.address() + "\ngateway.consul.wait = 10s";
            String asConsul = "gateway.services.orders.discovery = consul";
            GatewayConfig first = config(agent, ROUTE, "gateway.services.orders.instances = " + a.uri());
            try (Gateway gateway = new Gateway(first, Clock.systemUTC())) {
                assertThat(ports(gateway.runtime(), "orders")).containsExactly(a.port());

                ConfigChanges.Diff d = gateway.reload(config(agent, ROUTE, asConsul));
                assertThat(d.restart()).isEmpty();
                assertThat(d.of("services").changed()).containsExactly("orders");
                assertThat(ports(gateway.runtime(), "orders")).as("the reload waited for Consul's first answer")
                        .containsExactly(b.port());
                consul.register("orders", "o-2", a.port());
                assertThat(Poll.until(Duration.ofSeconds(5), () -> ports(gateway.runtime(), "orders").size() == 2))
                        .as("the new watcher follows Consul").isTrue();

                GatewayRuntime held = gateway.enterRuntime();
                gateway.reload(config(agent, ROUTE, asConsul, "gateway.services.orders.load-balancer = round-robin"));
                assertThat(ports(gateway.runtime(), "orders")).as("the same query: the instances carry over")
                        .containsExactlyInAnyOrder(a.port(), b.port());
                assertThat(threads("tollgate-consul-orders")).as("the replaced watcher serves the held request")
                        .isEqualTo(2);
                gateway.exit(held);
                // the replaced watcher's blocking query (up to 10 s) is aborted, so its thread ends at once
                assertThat(Poll.until(Duration.ofSeconds(3), () -> threads("tollgate-consul-orders") == 1)).isTrue();

                gateway.reload(config(agent, "gateway.routes.r.path = /r/**", "gateway.routes.r.service = other",
                        "gateway.services.other.instances = " + a.uri()));
                assertThat(Poll.until(Duration.ofSeconds(3), () -> threads("tollgate-consul-orders") == 0))
                        .as("a removed consul service is no longer watched").isTrue();
            }
        }
    }

    @Test
    void aNewConsulAgentIsAskedFromTheReloadOnAndTheOldOneNoMore() throws Exception {
        try (FakeConsul before = new FakeConsul(); FakeConsul after = new FakeConsul("dc1", "t-after");
             UpstreamServer a = new UpstreamServer("a"); UpstreamServer b = new UpstreamServer("b")) {
            before.register("orders", "o-1", a.port());
            after.register("orders", "o-2", b.port());
            String service = "gateway.services.orders.discovery = consul";
            String wait = "gateway.consul.wait = 10s";
            try (Gateway gateway = new Gateway(config("gateway.consul.address = " + before.address(), wait, ROUTE,
                    service), Clock.systemUTC())) {
                assertThat(ports(gateway.runtime(), "orders")).containsExactly(a.port());

                ConfigChanges.Diff d = gateway.reload(config("gateway.consul.address = " + after.address(),
                        "gateway.consul.token = t-after", wait, ROUTE, service));
                assertThat(d.restart()).as("the agent's settings reload").isEmpty();
                assertThat(ports(gateway.runtime(), "orders")).as("answered by the new agent, with its token")
                        .containsExactly(b.port());
                assertThat(Poll.until(Duration.ofSeconds(3), () -> threads("tollgate-consul-orders") == 1))
                        .as("the old agent's watcher stopped").isTrue();
                before.register("orders", "o-3", 1);
                after.register("orders", "o-4", a.port());
                assertThat(Poll.until(Duration.ofSeconds(5), () -> ports(gateway.runtime(), "orders").size() == 2))
                        .as("the new agent's changes are followed").isTrue();
                assertThat(ports(gateway.runtime(), "orders")).as("the old agent's are not")
                        .containsExactlyInAnyOrder(a.port(), b.port());
            }
        }
    }

    private static double unhealthy(Gateway gateway, String service) {
        Gauge g = gateway.metrics().registry().find("tollgate.discovery.instances.unhealthy").tag("service", service)
                .gauge();
        return g == null ? -1 : g.value();
    }

    @Test
    void healthChecksStartStopAndCarryTheirStateAcrossAReload() throws Exception {
        try (UpstreamServer good = new UpstreamServer("good"); UpstreamServer bad = new UpstreamServer("bad")) {
            bad.health(503);
            String service = "gateway.services.orders.instances = " + good.uri() + ", " + bad.uri();
            String check = String.join("\n", "gateway.services.orders.health-check.path = /healthz",
                    "gateway.services.orders.health-check.interval = 200ms",
                    "gateway.services.orders.health-check.timeout = 150ms",
                    "gateway.services.orders.health-check.unhealthy-threshold = 1");
            try (Gateway gateway = new Gateway(config(ROUTE, service), Clock.systemUTC())) {
                assertThat(unhealthy(gateway, "orders")).as("no checks yet: no gauge").isEqualTo(-1);

                assertThat(gateway.reload(config(ROUTE, service, check)).restart()).isEmpty();
                assertThat(Poll.until(Duration.ofSeconds(5), () -> unhealthy(gateway, "orders") == 1))
                        .as("checks added by the reload find the bad instance").isTrue();

                gateway.reload(config(ROUTE, service, check, "gateway.services.orders.load-balancer = least-request"));
                assertThat(unhealthy(gateway, "orders")).as("the new pool starts with what the checks found")
                        .isEqualTo(1);

                gateway.reload(config(ROUTE, service));
                Thread.sleep(400); // a check sent before the reload may still be answered
                long checks = good.healthChecks() + bad.healthChecks();
                Thread.sleep(1000);
                assertThat(good.healthChecks() + bad.healthChecks()).as("checks removed by the reload stop")
                        .isEqualTo(checks);
                assertThat(unhealthy(gateway, "orders")).isEqualTo(-1);
            }
        }
    }
}
