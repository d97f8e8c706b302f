package dev.tollgate.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.HoldingUpstream;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.ServerProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production run of docs/deployment.md: the real WAR on the stock jetty-home distribution with
 * {@code server-config/jetty-base}, started by {@code server-config/jetty.sh} (the container image's command)
 * as a separate process, with TLS, h2c, remote JMX and the health check; finally stopped by SIGTERM while
 * requests are in flight. One server start for the class; the tests run in order and the last one stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JettyDistributionIT {
    private static final Path PROJECT = DeploymentFiles.PROJECT;
    private static final String PASSWORD = UUID.randomUUID().toString();

    private static HoldingUpstream upstream;
    private static ServerProcess jetty;
    private static int httpPort;
    private static int httpsPort;
    private static int jmxPort;
    private static HttpClient h2c;
    private static HttpClient h2tls;
    private static Path passwordFile;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        upstream = new HoldingUpstream();
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.api.strip-prefix = /api",
                // the admin endpoints on the public port, for local peers with the token: what the probes use
                "gateway.admin.enabled = true",
                "gateway.admin.port = any",
                "gateway.admin.token = " + ADMIN_TOKEN, ""));
        Path keystore = Keystores.selfSigned(dir.resolve("keystore.p12"), PASSWORD);
        httpPort = ServerProcess.freePort();
        httpsPort = ServerProcess.freePort();
        jmxPort = ServerProcess.freePort();
        jetty = ServerProcess.start(
                List.of("bash", DeploymentFiles.JETTY_SCRIPT, config.toString(), "jetty.http.port=" + httpPort),
                PROJECT,
                Map.of("JETTY_HOME", System.getProperty("tollgate.jetty.home"),
                        "TOLLGATE_WAR", System.getProperty("tollgate.war"),
                        "JAVA_HOME", System.getProperty("java.home"),
                        "TOLLGATE_KEYSTORE", keystore.toString(),
                        "TOLLGATE_KEYSTORE_PASSWORD", PASSWORD,
                        "TOLLGATE_HTTPS_PORT", Integer.toString(httpsPort),
                        "TOLLGATE_JMX_PORT", Integer.toString(jmxPort)),
                PROJECT.resolve("target/jetty-distribution-it.log"));
        jetty.awaitReady(() -> healthcheck(null, "ready") == 0, Duration.ofSeconds(120));

        h2c = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        h2c.start();
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setTrustStorePath(keystore.toString());
        tls.setTrustStorePassword(PASSWORD);
        tls.setTrustStoreType("PKCS12");
        HTTP2Client tlsTransport = new HTTP2Client();
        tlsTransport.getClientConnector().setSslContextFactory(tls);
        h2tls = new HttpClient(new HttpClientTransportOverHTTP2(tlsTransport));
        h2tls.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h2c != null) {
            h2c.stop();
        }
        if (h2tls != null) {
            h2tls.stop();
        }
        if (jetty != null) {
            jetty.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static final String ADMIN_TOKEN = "probe-token-0123456789abcdefghij";

    /**
     * Runs server-config/healthcheck.sh against the http port, with the admin token (the gateway's health
     * endpoints) or without (the OPTIONS check); returns its exit code.
     */
    private static int healthcheck(String token, String kind) {
        try {
            ProcessBuilder b = new ProcessBuilder("bash", DeploymentFiles.HEALTH_SCRIPT, Integer.toString(httpPort), kind)
                    .directory(PROJECT.toFile()).redirectErrorStream(true);
            b.environment().remove("GATEWAY_ADMIN_TOKEN");
            if (token != null) {
                b.environment().put("GATEWAY_ADMIN_TOKEN", token);
            }
            Process p = b.start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(1)
    void probesAskTheGatewaysHealthEndpointsWithTheToken() {
        assertThat(healthcheck(ADMIN_TOKEN, "ready")).as("/health/ready").isZero();
        assertThat(healthcheck(ADMIN_TOKEN, "live")).as("/health/live").isZero();
        assertThat(healthcheck("wrong-token-0123456789abcdefghij", "ready")).as("a wrong token").isNotZero();
    }

    /**
     * Requests Jetty refuses before the WAR sees them get problem+json from the server-level handler that
     * jetty.sh installs (tollgate-jetty-errors.jar + etc/tollgate-errors.xml), not Jetty's HTML page.
     */
    @Test
    @Order(1)
    void requestsJettyRefusesGetProblemJsonToo() throws Exception {
        java.net.URL base = URI.create("http://127.0.0.1:" + httpPort + "/").toURL();
        for (String request : List.of("GET /api/a/%2F/b HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /api/x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n",
                "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")) {
            try (RawHttp raw = new RawHttp(base)) {
                String answer = raw.send(request).readAll();
                assertThat(RawHttp.status(answer)).as(answer).isIn(400, 431);
                assertThat(answer).contains("Content-Type: application/problem+json")
                        .contains("\"type\":\"about:blank\"").doesNotContain("<html");
            }
        }
    }

    @Test
    @Order(1)
    void proxiesOverHttp11() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> res = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/one")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("hello /one");
        assertThat(res.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(res.headers().firstValue("Server")).as("the base hides the server version").isEmpty();
    }

    /** The container's log directory: {@code ${jetty.base}/logs}, by the default {@code gateway.access-log.path}. */
    @Test
    @Order(1)
    void writesTheAccessLogToTheLogsDirectoryOfTheJettyBase() throws Exception {
        String id = "jetty-dist-" + UUID.randomUUID();
        java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/logged")).header("X-Request-Id", id).build(),
                HttpResponse.BodyHandlers.ofString());
        Path file = PROJECT.resolve("server-config/jetty-base/logs/tollgate-access.json");
        assertThat(ServerProcess.poll(() -> {
            try {
                return Files.exists(file) && Files.readString(file).contains("\"http.request.id\":\"" + id + "\"");
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20))).as("a line for " + id + " in " + file).isTrue();
    }

    /** jetty.sh hands the keystore password to start.jar in a file only this user reads, never as an argument. */
    @Test
    @Order(1)
    void keepsTheKeystorePasswordOffTheCommandLineAndOutOfTheEnvironment() throws Exception {
        Path proc = Path.of("/proc", Long.toString(jetty.process().pid()));
        String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
        assertThat(cmdline).contains("start.jar").doesNotContain(PASSWORD);
        assertThat(Files.readString(proc.resolve("environ"))).doesNotContain(PASSWORD);
        java.util.regex.Matcher commands = java.util.regex.Pattern.compile("--commands=(\\S+)").matcher(cmdline);
        assertThat(commands.find()).as(cmdline).isTrue();
        passwordFile = Path.of(commands.group(1));
        assertThat(Files.readString(passwordFile)).contains(PASSWORD);
        assertThat(Files.getPosixFilePermissions(passwordFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(passwordFile.getParent())).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    @Order(2)
    void proxiesOverH2cByPriorKnowledge() throws Exception {
        ContentResponse res = h2c.newRequest("http://127.0.0.1:" + httpPort + "/api/two")
                .timeout(30, TimeUnit.SECONDS).send();
        assertThat(res.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(res.getStatus()).isEqualTo(200);
        assertThat(res.getContentAsString()).isEqualTo("hello /two");
    }

    @Test
    @Order(3)
    void proxiesOverTlsWithHttp2NegotiatedByAlpn() throws Exception {
        ContentResponse res = h2tls.newRequest("https://localhost:" + httpsPort + "/api/three")
                .timeout(30, TimeUnit.SECONDS).send();
        assertThat(res.getVersion()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(res.getStatus()).isEqualTo(200);
        assertThat(res.getContentAsString()).isEqualTo("hello /three");
    }

    @Test
    @Order(4)
    void exposesTheGatewayAndServerMBeansOverRemoteJmx() throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            ObjectName routeTimer = new ObjectName("tollgate:name=tollgateRouteRequests.route.api.status.2xx,type=timers");
            assertThat((Long) mbeans.getAttribute(routeTimer, "Count")).isGreaterThanOrEqualTo(3L);
            ObjectName runtime = new ObjectName("java.lang:type=Runtime");
            String spec = (String) mbeans.getAttribute(runtime, "SpecVersion");
            assertThat(spec).isEqualTo(System.getProperty("java.specification.version"));
            Set<ObjectName> pools = mbeans.queryNames(new ObjectName("org.eclipse.jetty.util.thread:*"), null);
            assertThat(pools).as("Jetty's own MBeans (jmx module)").isNotEmpty();
            boolean virtual = pools.stream().anyMatch(n -> "virtualthreadpool".equals(n.getKeyProperty("type")));
            assertThat(virtual).as("virtual threads on Java 21+ (threadpool-virtual), not on 17: " + pools)
                    .isEqualTo(Runtime.version().feature() >= 21);
        }
    }

    @Test
    @Order(5)
    void sigtermLetsInFlightRequestsFinishAndRefusesNewConnections() throws Exception {
        java.net.http.HttpClient http11 = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            sendSlowRequestsThenSigterm(http11, senders);
        } finally {
            senders.shutdownNow();
        }
        assertThat(jetty.awaitExit(Duration.ofSeconds(60))).as("exit status after SIGTERM").isEqualTo(143);
        assertThat(jetty.log()).contains("shutdown: gateway closed").doesNotContain("still in flight");
        assertThat(ServerProcess.poll(() -> !Files.exists(passwordFile.getParent()), Duration.ofSeconds(20)))
                .as("the password's directory is removed when Jetty exits").isTrue();
    }

    private static void sendSlowRequestsThenSigterm(java.net.http.HttpClient http11, ExecutorService senders)
            throws Exception {
        List<CompletableFuture<String>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(http11.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/hold/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() + " " + r.version() + " " + r.body()));
        }
        for (int i = 3; i < 5; i++) {
            String uri = "http://127.0.0.1:" + httpPort + "/api/hold/" + i;
            inFlight.add(CompletableFuture.supplyAsync(() -> h2cGet(uri), senders));
        }
        assertThat(ServerProcess.poll(() -> upstream.held() == 5, Duration.ofSeconds(30)))
                .as("all five requests reached the upstream").isTrue();

        jetty.process().destroy(); // SIGTERM

        assertThat(ServerProcess.poll(() -> !ServerProcess.accepts(httpPort), Duration.ofSeconds(30)))
                .as("new connections are refused while draining").isTrue();
        assertThat(healthcheck(null, "ready")).as("the health check fails while draining").isNotZero();
        assertThat(healthcheck(ADMIN_TOKEN, "ready")).as("so does the readiness endpoint").isNotZero();
        assertThat(inFlight).as("still in flight when new connections were refused").noneMatch(CompletableFuture::isDone);
        upstream.release();

        for (int i = 0; i < 5; i++) {
            String version = i < 3 ? "HTTP_1_1" : "HTTP_2";
            assertThat(inFlight.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("200 " + version + " hello /hold/" + i);
        }
    }

    private static String h2cGet(String uri) {
        try {
            ContentResponse res = h2c.newRequest(uri).timeout(90, TimeUnit.SECONDS).send();
            return res.getStatus() + " " + res.getVersion().name() + " " + res.getContentAsString();
        } catch (Exception e) {
            throw new AssertionError(uri, e);
        }
    }
}
