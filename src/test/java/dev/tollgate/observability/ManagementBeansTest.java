package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class ManagementBeansTest {
    public interface ProbeMXBean {
        int getValue();
    }

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void registersUnderTheTollgateDomainAndUnregistersOnClose() throws Exception {
        ObjectName name = ManagementBeans.name("Probe", "orders");
        assertThat(name.toString()).isEqualTo("tollgate:type=Probe,name=orders");
        try (ManagementBeans beans = new ManagementBeans()) {
            beans.register(name, (ProbeMXBean) () -> 7);
            assertThat(SERVER.getAttribute(name, "Value")).isEqualTo(7);
        }
        assertThat(SERVER.isRegistered(name)).isFalse();
    }

    @Test
    void aLeftoverFromAnEarlierDeploymentIsReplaced() throws Exception {
        ObjectName name = ManagementBeans.name("Probe", "left over");
        assertThat(name.getKeyProperty("name")).isEqualTo("\"left over\"");
        ManagementBeans first = new ManagementBeans();
        first.register(name, (ProbeMXBean) () -> 1);
        try (ManagementBeans second = new ManagementBeans()) {
            second.register(name, (ProbeMXBean) () -> 2);
            assertThat(SERVER.getAttribute(name, "Value")).isEqualTo(2);
        }
        first.close();
    }

    @Test
    void auditedReturnsTheResultAndRethrowsFailures() {
        assertThat(ManagementBeans.audited("reset", "orders", () -> "done")).isEqualTo("done");
        assertThatThrownBy(() -> ManagementBeans.audited("reset", "x", () -> {
            throw new IllegalArgumentException("no such key");
        })).hasMessage("no such key");
    }
}
