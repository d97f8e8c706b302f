package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();

    private int registered() throws Exception {
        return jmx.queryNames(new ObjectName("tollgate:*"), null).size();
    }

    @Test
    void metersAppearOverJmxAndDisappearWhenClosed() throws Exception {
        int before = registered();
        GatewayMetrics metrics = new GatewayMetrics(true);
        metrics.record("orders", "orders-svc", 200, 1_000_000);
        metrics.record("orders", null, 503, 2_000_000);
        ObjectName ok = new ObjectName("tollgate:name=tollgateRouteRequests.route.orders.status.2xx,type=timers");
        assertThat(jmx.isRegistered(ok)).as("registered: %s", jmx.queryNames(new ObjectName("tollgate:*"), null))
                .isTrue();
        assertThat(((Number) jmx.getAttribute(ok, "Count")).longValue()).isEqualTo(1);
        metrics.close();
        assertThat(registered()).isEqualTo(before);
    }

    @Test
    void statusClassesAreClampedToOneToFive() {
        try (GatewayMetrics metrics = new GatewayMetrics(false)) {
            metrics.record("r", "s", 99, 1);
            metrics.record("r", "s", 700, 1);
            assertThat(metrics.registry().get(GatewayMetrics.ROUTE_REQUESTS).tag("status", "1xx").timer().count())
                    .isEqualTo(1);
            assertThat(metrics.registry().get(GatewayMetrics.ROUTE_REQUESTS).tag("status", "5xx").timer().count())
                    .isEqualTo(1);
        }
    }
}
