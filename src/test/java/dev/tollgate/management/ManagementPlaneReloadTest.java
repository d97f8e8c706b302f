package dev.tollgate.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import dev.tollgate.Gateway;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.RecordingAppender;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class ManagementPlaneReloadTest {
    private static GatewayConfig config(String... extra) {
        String[] all = new String[extra.length + 4];
        all[0] = "gateway.services.up.instances = http://127.0.0.1:9";
        all[1] = "gateway.metrics.jmx.enabled = false";
        all[2] = "gateway.routes.a.path = /a/**";
        all[3] = "gateway.routes.a.service = up";
        System.arraycopy(extra, 0, all, 4, extra.length);
        return Configs.of(all);
    }

    private static double count(Gateway g, String result) {
        return g.metrics().registry().counter(ManagementPlane.RELOADS, "result", result).count();
    }

    @Test
    void countsReloadsLogsOneLineEachAndOneWarningPerProblemWithoutSecrets() {
        AtomicReference<java.util.function.Supplier<GatewayConfig>> next = new AtomicReference<>(() -> config());
        RecordingAppender log = RecordingAppender.attach(ManagementPlane.class.getName(), encoder());
        try (Gateway gateway = new Gateway(config(), Clock.systemUTC())) {
            ManagementPlane plane = ManagementPlane.start(gateway, new ConfigSource("test.properties",
                    () -> next.get().get()), Clock.systemUTC());
            next.set(() -> config("gateway.routes.b.path = /b/**", "gateway.routes.b.service = up",
                    "gateway.redis.uri = redis://:a-brand-new-secret-token-value@127.0.0.1:6390"));
            assertThat(plane.reload()).startsWith("applied: 2 routes; routes: added [b]")
                    .contains("gateway.redis.uri: changed").contains("needs a restart");
            assertThat(count(gateway, "ok")).isEqualTo(1);
            assertThat(gateway.metrics().registry().get(ManagementPlane.PENDING).gauge().value())
                    .as("the Redis URI waits for a restart").isEqualTo(1);
            next.set(() -> Configs.of("gateway.services.up.instances = http://127.0.0.1:9",
                    "gateway.routes.a.path = /a/**", "gateway.routes.a.service = nope",
                    "gateway.routes.a.request-headers.set.Authorization = Bearer hidden-value-123"));
            assertThatThrownBy(plane::reload).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gateway.routes.a.service");
            assertThat(count(gateway, "invalid")).isEqualTo(1);
            assertThat(gateway.metrics().registry().get(ManagementPlane.PROBLEMS).counter().count()).isEqualTo(1);
            assertThat(gateway.routes().match(null, "GET", "/b/x")).as("running config kept").isNotNull();
            assertThat(log.lines()).filteredOn(l -> l.startsWith("INFO")).hasSize(2);
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).startsWith("WARN")
                    .contains("gateway.routes.a.service"));
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).startsWith("WARN")
                    .contains("gateway.redis.uri: changed"));
            assertThat(String.join("\n", log.lines())).doesNotContain("a-brand-new-secret")
                    .doesNotContain("hidden-value-123");
        } finally {
            log.detach(ManagementPlane.class.getName());
        }
    }

    /** Service MXBeans follow a reload: an added service gets one, a removed one loses it. */
    @Test
    void serviceMXBeansFollowTheReload() throws Exception {
        AtomicReference<GatewayConfig> next = new AtomicReference<>(config());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName extra = new ObjectName("tollgate:type=Service,name=extra");
        try (Gateway gateway = new Gateway(config(), Clock.systemUTC())) {
            ManagementPlane plane = ManagementPlane.start(gateway, new ConfigSource("test.properties", next::get),
                    Clock.systemUTC());
            assertThat(server.isRegistered(extra)).isFalse();
            next.set(config("gateway.services.extra.instances = http://127.0.0.1:7, http://127.0.0.1:8"));
            plane.reload();
            assertThat(server.getAttribute(extra, "InstanceCount")).isEqualTo(2);
            next.set(config());
            plane.reload();
            assertThat(server.isRegistered(extra)).isFalse();
            assertThat(server.isRegistered(new ObjectName("tollgate:type=Service,name=up"))).isTrue();
        }
    }

    private static PatternLayoutEncoder encoder() {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setPattern("%level %msg%n");
        return e;
    }
}
