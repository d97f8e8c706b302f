package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.management.GatewayMXBean;
import dev.tollgate.management.HttpClientPoolMXBean;
import dev.tollgate.management.RouteMXBean;
import dev.tollgate.management.ServiceMXBean;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RecordingAppender;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WarServer;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.security.auth.Subject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MXBeans of the real WAR read and invoked over a real JMX connector (RMI, with an authenticated user), and
 * the configuration reload: valid, invalid, needing a restart, with a slow request in flight and under load.
 */
class ManagementIT {
    private static final String BASE = String.join("\n",
            "gateway.services.up.instances = ${UP}",
            "gateway.routes.api.path = /api/**",
            "gateway.routes.api.service = up",
            "gateway.routes.api.strip-prefix = /api");
    private static UpstreamServer upstream;
    private static WarServer gateway;
    private static JMXConnectorServer jmxServer;
    private static JMXConnector jmx;
    private static MBeanServerConnection conn;

    @BeforeAll
    static void start() throws Exception {
        upstream = new UpstreamServer("managed");
        gateway = new WarServer(Files.createTempFile("tollgate-jmx", ".properties"), false, true).start(base(""));
        Map<String, Object> env = Map.of("jmx.remote.authenticator", (javax.management.remote.JMXAuthenticator)
                credentials -> {
                    String[] userAndPassword = (String[]) credentials;
                    Subject s = new Subject();
                    s.getPrincipals().add(new JMXPrincipal(userAndPassword[0]));
                    return s;
                });
        jmxServer = JMXConnectorServerFactory.newJMXConnectorServer(new JMXServiceURL("service:jmx:rmi://127.0.0.1"),
                env, ManagementFactory.getPlatformMBeanServer());
        jmxServer.start();
        jmx = JMXConnectorFactory.connect(jmxServer.getAddress(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {"ops-alice", "secret"}));
        conn = jmx.getMBeanServerConnection();
    }

    @AfterAll
    static void stop() throws Exception {
        jmx.close();
        jmxServer.stop();
        gateway.close();
        upstream.close();
    }

    private static String base(String extra) {
        return BASE.replace("${UP}", upstream.uri()) + "\n" + extra;
    }

    private static <T> T bean(Class<T> type, String name) throws Exception {
        return JMX.newMXBeanProxy(conn, new ObjectName(name), type);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, () -> what);
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        Poll.until(Duration.ofSeconds(10), condition);
        assertThat(condition.getAsBoolean()).as(what.get()).isTrue();
    }

    private static int status(String path) throws Exception {
        return gateway.get(gateway.publicUri(path)).statusCode();
    }

    @Test
    void routeServiceAndPoolMXBeansShowTraffic() throws Exception {
        RouteMXBean route = bean(RouteMXBean.class, "tollgate:type=Route,name=api");
        long ok0 = route.getRequests2xx();
        long failed0 = route.getRequests5xx();
        for (int i = 0; i < 3; i++) {
            assertThat(status("/api/x" + i)).isEqualTo(200);
        }
        assertThat(status("/api/status/503")).isEqualTo(503);
        await(() -> route.getRequests2xx() == ok0 + 3 && route.getRequests5xx() == failed0 + 1,
                () -> "route counts: 2xx " + (route.getRequests2xx() - ok0) + ", 5xx " + (route.getRequests5xx() - failed0));
        assertThat(route.getPath()).isEqualTo("/api/**");
        assertThat(route.getService()).isEqualTo("up");
        assertThat(route.getRequests()).isGreaterThanOrEqualTo(4);
        assertThat(route.getMaxMillis()).isPositive();
        assertThat(route.getMeanMillis()).isPositive();
        assertThat(route.getP99Millis()).isGreaterThanOrEqualTo(route.getP50Millis()).isPositive();

        ServiceMXBean service = bean(ServiceMXBean.class, "tollgate:type=Service,name=up");
        assertThat(service.getRequests2xx()).isGreaterThanOrEqualTo(3);
        assertThat(service.getInstanceCount()).isEqualTo(1);
        assertThat(service.getDiscovery()).isEqualTo("static");

        HttpClientPoolMXBean pool = bean(HttpClientPoolMXBean.class, "tollgate:type=HttpClientPool");
        assertThat(pool.getMax()).isEqualTo(512);
        assertThat(pool.getMaxPerRoute()).isEqualTo(256);
        assertThat(pool.getAvailable()).isPositive();
        assertThat(pool.getLeased()).isZero();
        assertThat(pool.getPending()).isZero();

        GatewayMXBean gw = bean(GatewayMXBean.class, "tollgate:type=Gateway");
        assertThat(gw.getServiceCount()).isEqualTo(1);
        assertThat(gw.getInFlight()).isZero();
        assertThat(gw.isDraining()).isFalse();
        assertThat(gw.getConfigSource()).endsWith(".properties");
    }

    @Test
    void reloadAppliesNewRoutesRefusesBadFilesAndIsAudited() throws Exception {
        GatewayMXBean gw = bean(GatewayMXBean.class, "tollgate:type=Gateway");
        RecordingAppender audit = RecordingAppender.attach("dev.tollgate.audit", "%msg%n");
        try {
            gateway.rewrite(base("gateway.routes.v2.path = /v2/**\ngateway.routes.v2.service = up"));
            assertThat(gw.reloadConfig()).startsWith("applied: 2 routes").contains("added [v2]");
            assertThat(status("/v2/hello")).isEqualTo(200);
            assertThat(conn.isRegistered(new ObjectName("tollgate:type=Route,name=v2"))).isTrue();
            assertThat(gw.getRouteCount()).isEqualTo(2);

            gateway.rewrite(base("gateway.routes.v2.path = /v2/**\ngateway.routes.v2.service = nope\n"
                    + "gateway.routes.v2.response-timeout = 5 sec\ngateway.routes.v2.colour = blue"));
            assertThatThrownBy(gw::reloadConfig)
                    .hasMessageContaining("the running one is kept")
                    .hasMessageContaining("gateway.routes.v2.service = \"nope\"")
                    .hasMessageContaining("gateway.routes.v2.response-timeout = \"5 sec\"")
                    .hasMessageContaining("gateway.routes.v2.colour: unknown key");
            assertThat(status("/v2/hello")).as("old routes kept").isEqualTo(200);

            assertThat(gw.getLastReload()).contains("refused: 3 problem(s)");
            gateway.rewrite(base("gateway.routes.v2.path = /v2/**\ngateway.routes.v2.service = up\n"
                    + "gateway.http-client.max-connections = 8\ngateway.http-client.io-threads = 3"));
            assertThat(gw.reloadConfig()).startsWith("applied: 2 routes; nothing changed").contains(
                    "needs a restart (running value kept): "
                    + "gateway.http-client.io-threads: changed from \"0\" to \"3\"; needs a restart");
            assertThat(status("/v2/hello")).isEqualTo(200);
            assertThat(bean(HttpClientPoolMXBean.class, "tollgate:type=HttpClientPool").getMax())
                    .as("the pool's limit is reloaded").isEqualTo(8);

            gateway.rewrite(base(""));
            assertThat(gw.reloadConfig()).contains("removed [v2]");
            assertThat(status("/v2/hello")).isEqualTo(404);
            assertThat(conn.isRegistered(new ObjectName("tollgate:type=Route,name=v2"))).isFalse();
            assertThat(audit.lines()).anySatisfy(l -> assertThat(l)
                    .contains("jmx by=ops-alice op=reloadConfig target=" + gw.getConfigSource() + " result=applied"));
            assertThat(audit.lines()).anySatisfy(l -> assertThat(l)
                    .contains("jmx by=ops-alice op=reloadConfig").contains("result=failed: configuration not reloaded"));
        } finally {
            audit.detach("dev.tollgate.audit");
        }
    }

    @Test
    void aRequestInFlightKeepsTheRouteItMatched() throws Exception {
        GatewayMXBean gw = bean(GatewayMXBean.class, "tollgate:type=Gateway");
        int seen = upstream.count();
        CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(gateway.publicUri("/api/slow?ms=1500")).build(),
                HttpResponse.BodyHandlers.ofString());
        await(() -> upstream.count() > seen, "the slow request reached the upstream");
        gateway.rewrite(BASE.replace("${UP}", upstream.uri()).replace("/api", "/moved"));
        assertThat(gw.reloadConfig()).contains("changed [api]");
        assertThat(status("/api/x")).as("new requests see the new table").isEqualTo(404);
        HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"target\":\"/slow?ms=1500\"");
        gateway.rewrite(base(""));
        gw.reloadConfig();
    }

    @Test
    void reloadsUnderLoadFailNoRequest() throws Exception {
        GatewayMXBean gw = bean(GatewayMXBean.class, "tollgate:type=Gateway");
        RouteMXBean route = bean(RouteMXBean.class, "tollgate:type=Route,name=api");
        long before = route.getRequests();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        HttpClient http = HttpClient.newHttpClient();
        Thread[] clients = new Thread[4];
        for (int t = 0; t < clients.length; t++) {
            clients[t] = new Thread(() -> {
                while (running.get()) {
                    try {
                        int s = http.send(HttpRequest.newBuilder(gateway.publicUri("/api/load")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        (s == 200 ? ok : failed).incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            clients[t].start();
        }
        try {
            for (int i = 0; i < 10; i++) {
                gateway.rewrite(base("gateway.routes.api.response-timeout = " + (10 + i) + "s"));
                assertThat(gw.reloadConfig()).startsWith("applied");
            }
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
        }
        assertThat(failed.get()).isZero();
        assertThat(ok.get()).isPositive();
        // a request is recorded just after its client has the answer: let the last ones land before other tests count
        await(() -> route.getRequests() == before + ok.get(), "every request recorded");
        gateway.rewrite(base(""));
        gw.reloadConfig();
    }
}
