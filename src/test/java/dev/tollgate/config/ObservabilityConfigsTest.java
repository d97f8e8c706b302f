package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.testsupport.Configs;
import org.junit.jupiter.api.Test;

class ObservabilityConfigsTest {
    private static final String SERVICE = "gateway.services.up.instances = http://127.0.0.1:9";
    private static final String ROUTE = "gateway.routes.a.path = /a/**";
    private static final String TARGET = "gateway.routes.a.service = up";

    private static GatewayConfig load(String... lines) {
        String[] all = new String[lines.length + 3];
        all[0] = SERVICE;
        all[1] = ROUTE;
        all[2] = TARGET;
        System.arraycopy(lines, 0, all, 3, lines.length);
        return Configs.of(all);
    }

    @Test
    void defaultsKeepTheAdminEndpointsOffAndTheAccessLogOn() {
        GatewayConfig c = load();
        assertThat(c.operations().admin().enabled()).isFalse();
        assertThat(c.operations().admin().port()).isEqualTo(8081);
        assertThat(c.operations().admin().path()).isEqualTo("/_tollgate");
        assertThat(c.operations().admin().allowedAddresses()).hasSize(2);
        assertThat(c.operations().accessLog().enabled()).isTrue();
        assertThat(c.operations().accessLog().queueSize()).isEqualTo(8192);
        assertThat(c.operations().accessLog().path()).isEqualTo("container");
    }

    @Test
    void theAccessLogPathIsTheContainerStdoutOrAnAbsoluteFile() {
        assertThat(load("gateway.access-log.path = stdout").operations().accessLog().path()).isEqualTo("stdout");
        assertThat(load("gateway.access-log.path = /var/log/tollgate/access.json").operations().accessLog().path())
                .isEqualTo("/var/log/tollgate/access.json");
        for (String bad : new String[] {"logs/access.json", "/var/log/tollgate/", "STDOUT", "/"}) {
            ConfigException e = catchThrowableOfType(ConfigException.class,
                    () -> load("gateway.access-log.path = " + bad));
            assertThat(e.problems()).as(bad).containsExactly("gateway.access-log.path = \"" + bad + "\": expected "
                    + "container, stdout or an absolute file path (e.g. /var/log/tollgate/access.json)");
        }
    }

    @Test
    void enablingTheAdminEndpointsNeedsALongTokenWhichIsNeverEchoed() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                "gateway.admin.enabled = true", "gateway.admin.token = short-secret"));
        assertThat(e.problems()).containsExactly("gateway.admin.token = \"****\": expected a secret of at least 24 "
                + "characters when gateway.admin.enabled is true");
        assertThat(e.getMessage()).doesNotContain("short-secret");
        assertThat(load("gateway.admin.enabled = true", "gateway.admin.token = 0123456789abcdef0123456789")
                .operations().admin().enabled()).isTrue();
    }

    @Test
    void reportsEveryBadAdminAndAccessLogValue() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                "gateway.admin.port = 70000", "gateway.admin.allowed-addresses = 127.0.0.1, localhost",
                "gateway.admin.path = /admin/", "gateway.access-log.queue-size = 0",
                "gateway.access-log.enabled = maybe"));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "gateway.admin.port = \"70000\": expected a whole number from 1 to 65535",
                "gateway.admin.allowed-addresses = \"localhost\": expected IP addresses or CIDR blocks (e.g. 127.0.0.1/32)",
                "gateway.admin.path = \"/admin/\": expected a literal path prefix like /_tollgate (no trailing /)",
                "gateway.access-log.queue-size = \"0\": expected a whole number from 1 to 1048576",
                "gateway.access-log.enabled = \"maybe\": expected true or false");
    }

    @Test
    void anyPortMeansEveryPort() {
        assertThat(load("gateway.admin.port = any").operations().admin().port()).isZero();
    }
}
