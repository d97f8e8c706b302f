package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.Configs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Discovery settings: consul and static side by side, defaults, and problems that name their keys. */
class DiscoveryConfigsTest {
    private static final String[] ROUTE = {"gateway.routes.r.path = /r/**", "gateway.routes.r.service = s"};

    private static GatewayConfig load(String... lines) {
        String[] all = new String[lines.length + ROUTE.length];
        System.arraycopy(ROUTE, 0, all, 0, ROUTE.length);
        System.arraycopy(lines, 0, all, ROUTE.length, lines.length);
        return Configs.of(all);
    }

    private static List<String> problems(String... lines) {
        try {
            load(lines);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems");
    }

    @Test
    void consulAndStaticServicesLiveSideBySide() {
        GatewayConfig c = load(
                "gateway.services.s.instances = http://10.0.0.5:8080, http://10.0.0.6:8080",
                "gateway.services.s.weights = 3, 1",
                "gateway.services.orders.discovery = consul",
                "gateway.services.orders.consul.service = orders-api",
                "gateway.services.orders.consul.tags = prod, v2",
                "gateway.services.orders.consul.datacenter = eu-1",
                "gateway.services.orders.consul.scheme = https",
                "gateway.services.orders.passive-health.consecutive-failures = 2",
                "gateway.consul.address = https://consul.internal:8501",
                "gateway.consul.token = secret-token",
                "gateway.consul.snapshot-file = /var/lib/tollgate/discovery.json",
                "gateway.routes.r.load-balancer = weighted");
        ServiceConfig s = c.upstreams().services().get("s");
        assertThat(s.isConsul()).isFalse();
        assertThat(s.loadBalancer()).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(s.weights()).containsExactly(3, 1);
        assertThat(s.consul()).isNull();
        assertThat(s.passiveHealth()).isEqualTo(new PassiveHealthConfig(5, Duration.ofSeconds(10),
                Duration.ofMinutes(5), 50));
        ServiceConfig o = c.upstreams().services().get("orders");
        assertThat(o.isConsul()).isTrue();
        assertThat(o.instances()).isEmpty();
        assertThat(o.loadBalancer()).isEqualTo(LoadBalancing.LEAST_REQUEST);
        assertThat(o.consul()).isEqualTo(new ConsulServiceConfig("orders-api", List.of("prod", "v2"), "eu-1", "https"));
        assertThat(o.passiveHealth().consecutiveFailures()).isEqualTo(2);
        assertThat(c.upstreams().consul().address()).isEqualTo(URI.create("https://consul.internal:8501"));
        assertThat(c.upstreams().consul().token()).isEqualTo("secret-token");
        assertThat(c.upstreams().consul().toString()).doesNotContain("secret-token");
        assertThat(c.upstreams().consul().snapshotFile()).isEqualTo(Path.of("/var/lib/tollgate/discovery.json"));
        assertThat(c.upstreams().consul().blockingWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.upstreams().consul().fullReadInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.routes().get(0).target().loadBalancer()).isEqualTo(LoadBalancing.WEIGHTED);
    }

    @Test
    void consulServiceDefaultsToItsOwnName() {
        GatewayConfig c = load("gateway.services.s.discovery = consul");
        assertThat(c.upstreams().services().get("s").consul())
                .isEqualTo(new ConsulServiceConfig("s", List.of(), null, "http"));
        assertThat(c.routes().get(0).target().loadBalancer()).isNull();
    }

    @Test
    void problemsNameTheirKeys() {
        assertThat(problems(
                "gateway.services.s.discovery = consul",
                "gateway.services.s.instances = http://10.0.0.5",
                "gateway.services.s.consul.scheme = ftp",
                "gateway.services.s.load-balancer = random",
                "gateway.services.t.instances = http://10.0.0.5, http://10.0.0.6",
                "gateway.services.t.weights = 1",
                "gateway.services.t.consul.tags = x",
                "gateway.services.t.passive-health.max-ejected-percent = 150",
                "gateway.consul.address = consul:8500",
                "gateway.consul.wait = 11m",
                "gateway.passive-health.base-ejection-time = 0s",
                "gateway.routes.r.load-balancer = fastest")).containsExactlyInAnyOrder(
                "gateway.services.s.instances = \"http://10.0.0.5\": expected no instances with discovery = consul "
                        + "(they come from Consul)",
                "gateway.services.s.consul.scheme = \"ftp\": expected http or https",
                "gateway.services.s.load-balancer = \"random\": expected round-robin, weighted or least-request",
                "gateway.services.t.weights = \"1\": expected one weight per instance (2)",
                "gateway.services.t.consul.tags = \"x\": expected consul settings only with discovery = consul",
                "gateway.services.t.passive-health.max-ejected-percent = \"150\": expected a whole number from 0 to 100",
                "gateway.consul.address = \"consul:8500\": expected an absolute URI with a host and scheme http or https",
                "gateway.consul.wait = \"11m\": expected at most 10m (Consul's limit for blocking queries)",
                "gateway.passive-health.base-ejection-time = \"0s\": expected a duration above zero",
                "gateway.routes.r.load-balancer = \"fastest\": expected round-robin, weighted or least-request");
    }

    @Test
    void unknownDiscoveryKeysAreErrors() {
        assertThatThrownBy(() -> load("gateway.services.s.discovery = consul", "gateway.consul.adress = x"))
                .hasMessageContaining("gateway.consul.adress: unknown key (did you mean gateway.consul.address?)");
    }
}
