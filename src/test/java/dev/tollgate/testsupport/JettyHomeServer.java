package dev.tollgate.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The stock Jetty distribution ({@code tollgate.jetty.home}, unpacked by {@code mvn package}) running the WAR
 * with {@code server-config/jetty-base}, started the documented way: {@code server-config/jetty.sh} with a
 * gateway properties file, in its own JVM.
 */
public final class JettyHomeServer extends GatewayContainer {
    private static final Path PROJECT = Path.of("").toAbsolutePath();

    private JettyHomeServer(ServerProcess process, int httpPort) {
        super(process, httpPort);
    }

    /** Starts Jetty with the gateway configured by {@code properties}; returns once the gateway answers. */
    public static JettyHomeServer start(Path dir, String properties, String logName) throws Exception {
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, properties + "\n");
        int port = ServerProcess.freePort();
        ServerProcess jetty = ServerProcess.start(
                List.of("bash", "server-config/jetty.sh", config.toString(), "jetty.http.port=" + port),
                PROJECT,
                Map.of("JETTY_HOME", System.getProperty("tollgate.jetty.home"),
                        "TOLLGATE_WAR", System.getProperty("tollgate.war"),
                        "JAVA_HOME", System.getProperty("java.home")),
                PROJECT.resolve("target/" + logName + ".log"));
        HttpClient http = HttpClient.newHttpClient();
        URI probe = URI.create("http://127.0.0.1:" + port + "/");
        jetty.awaitReady(() -> answersFromTheGateway(http, probe), Duration.ofMinutes(2));
        return new JettyHomeServer(jetty, port);
    }

    /** Any answer carrying X-Request-Id comes from the deployed gateway, not from Jetty alone. */
    private static boolean answersFromTheGateway(HttpClient http, URI probe) {
        try {
            return http.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).headers().firstValue("X-Request-Id").isPresent();
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String contextPath() {
        return "";
    }
}
