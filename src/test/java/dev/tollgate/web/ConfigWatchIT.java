package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.management.GatewayMXBean;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WarServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import javax.management.JMX;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** {@code gateway.config.watch = true} in the real WAR: a change of the file is applied without a JMX call. */
class ConfigWatchIT {
    private static String config(UpstreamServer up, String extra) {
        return config(up, true, extra);
    }

    private static String config(UpstreamServer up, boolean watch, String extra) {
        return String.join("\n",
                "gateway.config.watch = " + watch,
                "gateway.services.up.instances = " + up.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                extra);
    }

    private static int awaitStatus(WarServer gateway, String path, int wanted) throws Exception {
        return Poll.until(Duration.ofSeconds(15), () -> gateway.get(gateway.publicUri(path)).statusCode(),
                s -> s == wanted);
    }

    @Test
    void aChangedFileIsReloadedAndAnInvalidOneIsNot() throws Exception {
        try (UpstreamServer up = new UpstreamServer("watched")) {
            WarServer gateway = new WarServer(Files.createTempFile("tollgate-watch", ".properties"), false, true)
                    .start(config(up, ""));
            try {
                assertThat(gateway.get(gateway.publicUri("/new/x")).statusCode()).isEqualTo(404);
                gateway.rewrite(config(up, "gateway.routes.fresh.path = /new/**\ngateway.routes.fresh.service = up"));
                assertThat(awaitStatus(gateway, "/new/x", 200)).as("the new route answers").isEqualTo(200);

                GatewayMXBean gw = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                        new ObjectName("tollgate:type=Gateway"), GatewayMXBean.class);
                gateway.rewrite(config(up, "gateway.routes.fresh.path = /new/**\ngateway.routes.fresh.service = gone"
                        + "\ngateway.routes.later.path = /later/**\ngateway.routes.later.service = up"));
                Poll.until(Duration.ofSeconds(15), () -> gw.getLastReload().contains("refused"));
                assertThat(gw.getLastReload()).contains("refused");
                assertThat(gateway.get(gateway.publicUri("/new/x")).statusCode()).as("running config kept")
                        .isEqualTo(200);
                assertThat(gateway.get(gateway.publicUri("/later/x")).statusCode()).isEqualTo(404);
            } finally {
                gateway.close();
            }
        }
    }

    @Test
    void aReloadStartsAndStopsTheWatch() throws Exception {
        try (UpstreamServer up = new UpstreamServer("watched-later")) {
            WarServer gateway = new WarServer(Files.createTempFile("tollgate-watch", ".properties"), false, true)
                    .start(config(up, false, ""));
            try {
                GatewayMXBean gw = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                        new ObjectName("tollgate:type=Gateway"), GatewayMXBean.class);
                gateway.rewrite(config(up, true, ""));
                assertThat(gw.reloadConfig()).doesNotContain("needs a restart");
                gateway.rewrite(config(up, true, "gateway.routes.b.path = /b/**\ngateway.routes.b.service = up"));
                assertThat(awaitStatus(gateway, "/b/x", 200)).as("followed since the reload").isEqualTo(200);

                gateway.rewrite(config(up, false, "gateway.routes.c.path = /c/**\ngateway.routes.c.service = up"));
                assertThat(awaitStatus(gateway, "/c/x", 200)).as("the watch applies its own end").isEqualTo(200);
                gateway.rewrite(config(up, false, "gateway.routes.d.path = /d/**\ngateway.routes.d.service = up"));
                Thread.sleep(3_000); // several times the watch's poll (200 ms) and settle (500 ms) periods
                assertThat(gateway.get(gateway.publicUri("/d/x")).statusCode()).as("no longer followed")
                        .isEqualTo(404);
                assertThat(gw.reloadConfig()).contains("added [d]");
            } finally {
                gateway.close();
            }
        }
    }
}
