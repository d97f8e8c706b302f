package dev.tollgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.MBeanRegistration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * A gateway whose start fails part-way, after its Consul watcher, health checks, proxy timer, upstream client and
 * access log have started, closes what it had started: no thread of its own is left behind. The failure is a real
 * one from the platform MBean server: an MXBean of another deployment under the name the gateway needs refuses to
 * be unregistered. A small server that keeps to Consul's documented HTTP API ({@link FakeConsul}) plays the agent.
 */
class GatewayStartupFailureIT {
    /** A bean that refuses to be unregistered while {@code stubborn} holds. */
    public interface HolderMBean {
        String getOwner();
    }

    public static final class Holder implements HolderMBean, MBeanRegistration {
        private final AtomicBoolean stubborn;

        Holder(AtomicBoolean stubborn) {
            this.stubborn = stubborn;
        }

        @Override
        public String getOwner() {
            return "another deployment";
        }

        @Override
        public ObjectName preRegister(MBeanServer server, ObjectName name) {
            return name;
        }

        @Override
        public void postRegister(Boolean done) {
        }

        @Override
        public void preDeregister() throws Exception {
            if (stubborn.get()) {
                throw new IllegalStateException("still in use by another deployment");
            }
        }

        @Override
        public void postDeregister() {
        }
    }

    private static Set<String> gatewayThreads() {
        Set<String> out = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && (n.startsWith("tollgate-") || n.startsWith("httpclient-"))) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void aStartThatFailsAfterTheWatchersStartedLeavesNoThreadBehind() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName taken = new ObjectName("tollgate:type=TokenCache");
        AtomicBoolean stubborn = new AtomicBoolean(true);
        try (FakeConsul consul = new FakeConsul(); UpstreamServer up = new UpstreamServer("up")) {
            consul.register("orders", "o-1", up.port());
            Set<String> before = gatewayThreads();
            server.registerMBean(new Holder(stubborn), taken);
            assertThatThrownBy(() -> new Gateway(Configs.of(
                    "gateway.consul.address = " + consul.address(), "gateway.consul.wait = 10s",
                    "gateway.services.orders.discovery = consul",
                    "gateway.services.orders.health-check.path = /healthz",
                    "gateway.services.orders.health-check.interval = 200ms",
                    "gateway.services.orders.health-check.timeout = 150ms",
                    "gateway.routes.r.path = /r/**", "gateway.routes.r.service = orders",
                    "gateway.metrics.jmx.enabled = false"), Clock.systemUTC()))
                    .hasMessageContaining("cannot register the MXBean tollgate:type=TokenCache");
            assertThat(consul.requests()).as("the watcher had started").isPositive();
            assertThat(Poll.until(Duration.ofSeconds(5), () -> gatewayThreads().equals(before)))
                    .as("threads left behind: %s", gatewayThreads()).isTrue();
            assertThat(server.queryNames(new ObjectName("tollgate:type=Discovery,*"), null))
                    .as("the MXBeans it had registered are gone").isEmpty();
        } finally {
            stubborn.set(false);
            if (server.isRegistered(taken)) {
                server.unregisterMBean(taken);
            }
        }
    }
}
