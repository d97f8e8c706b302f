package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.StaticDiscovery;
import dev.tollgate.testsupport.Configs;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstancePickerTest {
    private final StaticDiscovery discovery = new StaticDiscovery(Configs.of(
            "gateway.services.s.instances = http://10.0.0.1:80, http://10.0.0.2:80, http://10.0.0.3:80",
            "gateway.services.one.instances = http://10.0.0.9:80",
            "gateway.routes.r.path = /**",
            "gateway.routes.r.service = s").services());
    private final Instance a = Instance.of(URI.create("http://10.0.0.1:80"));
    private final Instance b = Instance.of(URI.create("http://10.0.0.2:80"));

    @Test
    void prefersAnInstanceNotTriedYet() {
        for (int i = 0; i < 6; i++) {
            assertThat(InstancePicker.pick(discovery, "s", Set.of(a, b)).host()).isEqualTo("10.0.0.3");
            assertThat(InstancePicker.pick(discovery, "s", Set.of(a))).isNotEqualTo(a);
        }
    }

    @Test
    void fallsBackToATriedOneWhenThereIsNoOther() {
        Instance only = Instance.of(URI.create("http://10.0.0.9:80"));
        assertThat(InstancePicker.pick(discovery, "one", Set.of(only))).isEqualTo(only);
        assertThat(InstancePicker.pick(discovery, "missing", Set.of())).isNull();
    }
}
