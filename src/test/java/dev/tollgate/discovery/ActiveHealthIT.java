package dev.tollgate.discovery;

import static dev.tollgate.testsupport.Gateways.attribute;
import static dev.tollgate.testsupport.Gateways.get;
import static dev.tollgate.testsupport.Gateways.upstream;
import static dev.tollgate.testsupport.Gateways.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RecordingAppender;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Active health checks through the real WAR, against real upstream servers whose {@code /healthz} the test
 * controls, for static services and on top of a Consul service ({@link FakeConsul}). Each test uses its own
 * service.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ActiveHealthIT {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final String PROBES = "dev.tollgate.discovery.HealthProbes";
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static FakeConsul consul;
    private static UpstreamServer pair1;
    private static UpstreamServer pair2;
    private static UpstreamServer quick;
    private static UpstreamServer sluggish;
    private static UpstreamServer bad1;
    private static UpstreamServer bad2;
    private static UpstreamServer watched1;
    private static UpstreamServer watched2;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        pair1 = server("pair1");
        pair2 = server("pair2");
        quick = server("quick");
        sluggish = server("sluggish");
        sluggish.healthDelay(2000);
        bad1 = server("bad1");
        bad2 = server("bad2");
        bad1.health(503);
        bad2.health(500);
        watched1 = server("watched1");
        watched2 = server("watched2");
        watched2.health(503);
        consul = new FakeConsul();
        CLOSE.add(consul);
        consul.register("watched", "watched-1", watched1.port());
        consul.register("watched", "watched-2", watched2.port());
        return GatewayDeployment.war(String.join("\n",
                "gateway.consul.address = " + consul.address(),
                "gateway.consul.wait = 10s",
                service("pair", pair1, pair2), checked("pair", 2, 2),
                service("slow", quick, sluggish), checked("slow", 1, 1),
                service("bad", bad1, bad2), checked("bad", 1, 1),
                route("watched"), "gateway.services.watched.discovery = consul",
                "gateway.services.watched.load-balancer = round-robin", checked("watched", 1, 1)));
    }

    private static String service(String name, UpstreamServer... instances) {
        return route(name) + "\ngateway.services." + name + ".instances = "
                + String.join(", ", Arrays.stream(instances).map(UpstreamServer::uri).toList());
    }

    private static String route(String name) {
        return "gateway.routes." + name + ".path = /" + name + "/**\n"
                + "gateway.routes." + name + ".service = " + name + "\n"
                + "gateway.routes." + name + ".strip-prefix = /" + name;
    }

    /** A quick check of {@code /healthz}: every 200 ms, 150 ms to answer (the sluggish instance takes 2 s). */
    private static String checked(String name, int healthy, int unhealthy) {
        String p = "gateway.services." + name + ".health-check.";
        return String.join("\n", p + "path = /healthz", p + "interval = 200ms", p + "timeout = 150ms",
                p + "healthy-threshold = " + healthy, p + "unhealthy-threshold = " + unhealthy,
                p + "expected-statuses = 200-299");
    }

    private static UpstreamServer server(String name) throws Exception {
        UpstreamServer u = new UpstreamServer(name);
        CLOSE.add(u);
        return u;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : CLOSE) {
            c.close();
        }
    }

    private static List<String> unhealthy(String service) {
        return List.of((String[]) attribute("tollgate:type=Discovery,name=" + service, "UnhealthyInstances"));
    }

    private Set<String> answering(String service, int requests) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            out.add(upstream(base, "/" + service + "/x"));
        }
        return out;
    }

    private static long lines(RecordingAppender log, String... parts) {
        return log.lines().stream().filter(l -> Arrays.stream(parts).allMatch(l::contains)).count();
    }

    @Test
    void anInstanceThatGoesDownIsAvoidedAndUsedAgainWhenItComesBack() {
        RecordingAppender log = RecordingAppender.attach(PROBES, "%level %msg%n");
        try {
            assertThat(within(PATIENCE, () -> pair2.healthChecks() >= 2)).as("pair2 is checked").isTrue();
            assertThat(answering("pair", 6)).containsExactlyInAnyOrder("pair1", "pair2");

            pair2.health(503);
            assertThat(within(PATIENCE, () -> unhealthy("pair").equals(List.of(pair2.uri())))).isTrue();
            long checked = pair2.healthChecks();
            assertThat(answering("pair", 10)).containsExactly("pair1");
            assertThat(within(PATIENCE, () -> pair2.healthChecks() >= checked + 3)).isTrue();
            assertThat(unhealthy("pair")).containsExactly(pair2.uri());
            assertThat(lines(log, "WARN", "instance=" + pair2.uri(), "unhealthy")).as(log.lines().toString())
                    .isEqualTo(1);

            pair2.health(200);
            assertThat(within(PATIENCE, () -> unhealthy("pair").isEmpty())).isTrue();
            assertThat(answering("pair", 6)).containsExactlyInAnyOrder("pair1", "pair2");
            assertThat(lines(log, "INFO", "instance=" + pair2.uri(), "healthy again")).isEqualTo(1);
        } finally {
            log.detach(PROBES);
        }
    }

    @Test
    void aHealthEndpointSlowerThanTheTimeoutFails() {
        assertThat(within(PATIENCE, () -> unhealthy("slow").equals(List.of(sluggish.uri())))).isTrue();
        assertThat(answering("slow", 10)).containsExactly("quick");
        assertThat(String.valueOf(attribute("tollgate:type=Discovery,name=slow", "HealthCheck")))
                .isEqualTo("GET /healthz every 200 ms, timeout 150 ms, expecting [200-299]");
    }

    @Test
    void allInstancesUnhealthyAnswers503AtOnce() {
        assertThat(within(PATIENCE, () -> unhealthy("bad").size() == 2)).as("both marked unhealthy").isTrue();
        HttpResponse<String> r = get(base, "/bad/never-forwarded");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).doesNotContain("127.0.0.1");
        assertThat(bad1.seen()).noneMatch(s -> s.target().equals("/never-forwarded"));
        assertThat(bad2.seen()).noneMatch(s -> s.target().equals("/never-forwarded"));
    }

    @Test
    void worksOnTopOfConsulAndDropsTheStateOfRemovedInstances() {
        assertThat(within(PATIENCE, () -> unhealthy("watched").equals(List.of(watched2.uri())))).isTrue();
        assertThat(answering("watched", 6)).containsExactly("watched1");

        consul.deregister("watched-2");
        assertThat(within(PATIENCE, () -> unhealthy("watched").isEmpty()
                && ((String[]) attribute("tollgate:type=Discovery,name=watched", "Instances")).length == 1)).isTrue();

        watched2.health(200);
        consul.register("watched", "watched-2", watched2.port());
        assertThat(within(PATIENCE, () -> answering("watched", 4).contains("watched2"))).isTrue();

        consul.health("watched-1", "critical");
        assertThat(within(PATIENCE, () -> answering("watched", 4).equals(Set.of("watched2")))).isTrue();
        assertThat(unhealthy("watched")).isEmpty();
    }
}
