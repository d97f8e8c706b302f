package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.InstanceOutcome;
import dev.tollgate.discovery.Lease;
import dev.tollgate.discovery.Services;
import dev.tollgate.testsupport.Configs;
import java.net.URI;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstancePickerTest {
    private final GatewayConfig config = Configs.of(
            "gateway.services.s.instances = http://10.0.0.1:80, http://10.0.0.2:80, http://10.0.0.3:80",
            "gateway.services.one.instances = http://10.0.0.9:80",
            "gateway.routes.r.path = /**",
            "gateway.routes.r.service = s");
    private final Services discovery = new Services(config.upstreams().services(), config.upstreams().consul(),
            Clock.systemUTC());

    private Instance pick(String service, Set<Instance> tried) {
        Lease lease = InstancePicker.pick(discovery, service, null, tried);
        if (lease == null) {
            return null;
        }
        lease.release(InstanceOutcome.SUCCESS);
        return lease.instance();
    }
    private final Instance a = Instance.of(URI.create("http://10.0.0.1:80"));
    private final Instance b = Instance.of(URI.create("http://10.0.0.2:80"));

    @Test
    void prefersAnInstanceNotTriedYet() {
        for (int i = 0; i < 6; i++) {
            assertThat(pick("s", Set.of(a, b)).host()).isEqualTo("10.0.0.3");
            assertThat(pick("s", Set.of(a))).isNotEqualTo(a);
        }
    }

    @Test
    void fallsBackToATriedOneWhenThereIsNoOther() {
        Instance only = Instance.of(URI.create("http://10.0.0.9:80"));
        assertThat(pick("one", Set.of(only))).isEqualTo(only);
        assertThat(pick("missing", Set.of())).isNull();
    }
}
