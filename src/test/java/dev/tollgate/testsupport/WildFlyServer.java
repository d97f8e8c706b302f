package dev.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The WildFly distribution ({@code tollgate.wildfly.home}, unpacked by {@code mvn verify -Pwildfly}) running the
 * WAR in its own JVM, configured the documented way: {@code server-config/wildfly/tollgate.cli} sets
 * {@code gateway.config} to a properties file, the WAR goes into {@code deployments/}, and a copy of
 * {@code standalone/} is the base directory so the distribution stays pristine.
 */
public final class WildFlyServer extends GatewayContainer {
    private static final Path PROJECT = Path.of("").toAbsolutePath();

    private WildFlyServer(ServerProcess process, int httpPort) {
        super(process, httpPort);
    }

    /** Starts WildFly with the gateway configured by {@code properties}; returns once the WAR is deployed. */
    public static WildFlyServer start(Path dir, String properties, String logName) throws Exception {
        Path home = Path.of(System.getProperty("tollgate.wildfly.home"));
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, properties + "\n");
        Path base = dir.resolve("standalone");
        copyTree(home.resolve("standalone"), base);
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "JAVA_OPTS", "-Djboss.server.base.dir=" + base, "LAUNCH_JBOSS_IN_BACKGROUND", "1");
        try (ServerProcess cli = ServerProcess.start(List.of("bash", home.resolve("bin/jboss-cli.sh").toString(),
                "--resolve-parameter-values", "-Dtollgate.config=" + config,
                "--file=server-config/wildfly/tollgate.cli"), PROJECT, env,
                PROJECT.resolve("target/" + logName + "-cli.log"))) {
            assertThat(cli.awaitExit(Duration.ofMinutes(2))).as(cli.log()).isZero();
        }
        int port = ServerProcess.freePort();
        ServerProcess wildfly = deploy(home, base, env, port, ServerProcess.freePort(),
                PROJECT.resolve("target/" + logName + ".log"));
        return new WildFlyServer(wildfly, port);
    }

    /**
     * Copies the WAR into the base directory's {@code deployments/}, starts {@code standalone.sh} on these ports
     * (management ports free ones) and returns once the WAR is deployed; a failed deployment fails with the log.
     */
    public static ServerProcess deploy(Path home, Path base, Map<String, String> env, int httpPort, int httpsPort,
                                       Path log) throws Exception {
        Files.copy(Path.of(System.getProperty("tollgate.war")), base.resolve("deployments/tollgate.war"));
        ServerProcess wildfly = ServerProcess.start(List.of("bash", home.resolve("bin/standalone.sh").toString(),
                        "-Djboss.server.base.dir=" + base,
                        "-Djboss.bind.address=127.0.0.1",
                        "-Djboss.http.port=" + httpPort,
                        "-Djboss.https.port=" + httpsPort,
                        "-Djboss.management.http.port=" + ServerProcess.freePort(),
                        "-Djboss.management.https.port=" + ServerProcess.freePort()),
                PROJECT, env, log);
        Path deployed = base.resolve("deployments/tollgate.war.deployed");
        Path failed = base.resolve("deployments/tollgate.war.failed");
        wildfly.awaitReady(() -> {
            if (Files.exists(failed)) {
                throw new AssertionError("deployment failed:\n" + wildfly.log());
            }
            return Files.exists(deployed) && ServerProcess.accepts(httpPort);
        }, Duration.ofMinutes(3));
        return wildfly;
    }

    @Override
    public String contextPath() {
        return "/tollgate";
    }

    /** Copies a directory tree (the distribution's {@code standalone/}, as a base directory of its own). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(f -> {
                try {
                    Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
