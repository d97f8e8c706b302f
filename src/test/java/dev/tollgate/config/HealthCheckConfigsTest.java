package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.HealthCheckConfig.StatusRange;
import dev.tollgate.testsupport.Configs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's active health check: off by default, defaults once a path is set, and problems naming their keys. */
class HealthCheckConfigsTest {
    private static final String P = "gateway.services.s.health-check.";

    private static HealthCheckConfig load(String... lines) {
        return Configs.of(all(lines)).upstreams().services().get("s").healthCheck();
    }

    private static String[] all(String... lines) {
        String[] all = new String[lines.length + 3];
        all[0] = "gateway.routes.r.path = /r/**";
        all[1] = "gateway.routes.r.service = s";
        all[2] = "gateway.services.s.instances = http://10.0.0.5:8080";
        System.arraycopy(lines, 0, all, 3, lines.length);
        return all;
    }

    private static List<String> problems(String... lines) {
        try {
            Configs.of(all(lines));
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected problems");
    }

    @Test
    void isOffWithoutAPath() {
        assertThat(load()).isNull();
    }

    @Test
    void aPathAloneTakesTheDefaults() {
        HealthCheckConfig h = load(P + "path = /health");
        assertThat(h.path()).isEqualTo("/health");
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.healthyThreshold()).isEqualTo(2);
        assertThat(h.unhealthyThreshold()).isEqualTo(3);
        assertThat(h.expectedStatuses()).containsExactly(new StatusRange(200, 399));
        assertThat(h.expects(200)).isTrue();
        assertThat(h.expects(399)).isTrue();
        assertThat(h.expects(404)).isFalse();
        assertThat(h.expects(503)).isFalse();
    }

    @Test
    void readsEverySetting() {
        HealthCheckConfig h = load(P + "path = /status?deep=1", P + "interval = 500ms", P + "timeout = 200ms",
                P + "healthy-threshold = 1", P + "unhealthy-threshold = 5", P + "expected-statuses = 200, 204, 300-302");
        assertThat(h.path()).isEqualTo("/status?deep=1");
        assertThat(h.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(h.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(h.healthyThreshold()).isEqualTo(1);
        assertThat(h.unhealthyThreshold()).isEqualTo(5);
        assertThat(h.expects(204)).isTrue();
        assertThat(h.expects(301)).isTrue();
        assertThat(h.expects(201)).isFalse();
        assertThat(h.expects(303)).isFalse();
    }

    @Test
    void aShortIntervalShortensTheDefaultTimeout() {
        assertThat(load(P + "path = /health", P + "interval = 1s").timeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void settingsWithoutAPathAreProblems() {
        assertThat(problems(P + "interval = 5s")).containsExactly(
                P + "interval = \"5s\": expected health-check settings only together with " + P + "path");
    }

    @Test
    void badValuesNameTheirKeys() {
        assertThat(problems(P + "path = health", P + "interval = often", P + "timeout = 0s",
                P + "healthy-threshold = 0", P + "unhealthy-threshold = many", P + "expected-statuses = 2xx"))
                .anySatisfy(p -> assertThat(p).startsWith(P + "path = \"health\""))
                .anySatisfy(p -> assertThat(p).startsWith(P + "interval = \"often\""))
                .anySatisfy(p -> assertThat(p).startsWith(P + "timeout = \"0s\""))
                .anySatisfy(p -> assertThat(p).startsWith(P + "healthy-threshold = \"0\""))
                .anySatisfy(p -> assertThat(p).startsWith(P + "unhealthy-threshold = \"many\""))
                .anySatisfy(p -> assertThat(p).startsWith(P + "expected-statuses = \"2xx\""));
    }

    @Test
    void aTimeoutLongerThanTheIntervalIsAProblem() {
        assertThat(problems(P + "path = /health", P + "interval = 1s", P + "timeout = 2s")).containsExactly(
                P + "timeout = \"2s\": expected at most the interval (1000ms)");
    }

    @Test
    void aPathThatIsNoUriPathIsAProblem() {
        assertThat(problems(P + "path = /a|b")).singleElement().asString().startsWith(P + "path = \"/a|b\"");
        assertThat(problems(P + "path = /health#top")).singleElement().asString()
                .startsWith(P + "path = \"/health#top\"");
    }

    @Test
    void aBackwardRangeIsAProblem() {
        assertThat(problems(P + "path = /health", P + "expected-statuses = 399-200")).singleElement()
                .asString().startsWith(P + "expected-statuses = \"399-200\"");
    }

    @Test
    void aMisspelledKeyIsUnknown() {
        assertThat(problems(P + "path = /health", P + "intervall = 5s")).containsExactly(
                P + "intervall: unknown key (did you mean " + P + "interval?)");
    }

    @Test
    void theExampleInTheDiscoveryDocLoads() throws Exception {
        String doc = Files.readString(Path.of("docs/discovery.md"));
        String section = doc.substring(doc.indexOf("## Active health checks"));
        String block = section.substring(section.indexOf("```properties") + 13, section.indexOf("```\n", 20));
        List<String> lines = new ArrayList<>(List.of("gateway.routes.r.path = /r/**",
                "gateway.routes.r.service = orders"));
        block.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(lines::add);
        HealthCheckConfig h = Configs.of(lines.toArray(String[]::new)).upstreams().services().get("orders")
                .healthCheck();
        assertThat(h).isEqualTo(new HealthCheckConfig("/health", Duration.ofSeconds(10), Duration.ofSeconds(2), 2, 3,
                List.of(new StatusRange(200, 399))));
    }
}
