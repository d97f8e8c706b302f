package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogDestinationTest {
    private static AccessLogDestination resolve(String configured, Map<String, String> properties) {
        return AccessLogDestination.resolve(configured, properties::get);
    }

    @Test
    void onWildFlyTheContainerDefaultIsTheServerLogDirectory() {
        assertThat(resolve("container", Map.of("jboss.server.log.dir", "/opt/wildfly/standalone/log")).file())
                .isEqualTo(Path.of("/opt/wildfly/standalone/log/tollgate-access.json"));
    }

    @Test
    void onTheJettyDistributionTheContainerDefaultIsTheLogsDirectoryOfTheJettyBase() {
        assertThat(resolve("container", Map.of("jetty.base", "/opt/tollgate/jetty-base")).file())
                .isEqualTo(Path.of("/opt/tollgate/jetty-base/logs/tollgate-access.json"));
    }

    @Test
    void wildFlysLogDirectoryWinsOverAJettyBase() {
        assertThat(resolve("container", Map.of("jetty.base", "/j", "jboss.server.log.dir", "/w")).file())
                .isEqualTo(Path.of("/w/tollgate-access.json"));
    }

    @Test
    void inAnyOtherContainerTheContainerDefaultIsStandardOutput() {
        assertThat(resolve("container", Map.of()).isStdout()).isTrue();
        assertThat(resolve("container", Map.of("jetty.base", " ")).isStdout()).isTrue();
        assertThat(resolve("container", Map.of()).toString()).isEqualTo("stdout");
    }

    @Test
    void stdoutAndAnExplicitFileIgnoreTheContainer() {
        Map<String, String> wildfly = Map.of("jboss.server.log.dir", "/w");
        assertThat(resolve("stdout", wildfly).isStdout()).isTrue();
        assertThat(resolve("/var/log/tollgate/access.json", wildfly).file())
                .isEqualTo(Path.of("/var/log/tollgate/access.json"));
    }
}
