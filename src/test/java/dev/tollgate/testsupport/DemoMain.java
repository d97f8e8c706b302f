package dev.tollgate.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The README's demo: the built WAR at http://localhost:8080 (or {@code -Dport=N}) with the demo configuration,
 * in front of a sample upstream ({@link UpstreamServer}) on port 9081 (or {@code -Dupstream.port=N}) that
 * {@link DemoUpstreamControl} on 127.0.0.1:9082 ({@code -Dcontrol.port=N}) can stop and start, and a WebSocket
 * echo upstream ({@link WebSocketUpstream}) on 127.0.0.1:9083 ({@code -Dws.port=N}), with the admin endpoints on
 * 127.0.0.1:8081 (or {@code -Dadmin.port=N}). The gateway reads a copy of the demo properties made beside the WAR
 * at every start ({@code target/demo.properties}), which it watches and reloads. The upstreams run in this JVM; the gateway runs in a JVM of its
 * own ({@link DemoJetty}) on the jars of the Jetty distribution that {@code mvn package} unpacks. Runs until
 * interrupted. Arguments: the WAR, the demo properties, the Jetty distribution's directory.
 */
public final class DemoMain {
    /** The distribution's jars an ee10 web application needs (not the other environments', not the demos'). */
    private static final Pattern SERVER_JARS = Pattern.compile(
            "jetty-(server|http|io|util|xml|security|session|ee-webapp|ee10-servlet|ee10-webapp)-[0-9.]+\\.jar"
                    + "|jakarta\\.servlet-api-6\\.0\\.[0-9]+\\.jar");
    /**
     * The server's logging: the same SLF4J and Logback as the WAR's, taken from this JVM's class path, so that the
     * web application finds only a provider it can load.
     */
    private static final Pattern LOGGING_JARS = Pattern.compile("(slf4j-api|logback-classic|logback-core)-[0-9.]+\\.jar");

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        Path war = Path.of(args[0]).toAbsolutePath();
        // a working copy beside the WAR, fresh at every start: the gateway watches it, so an edit is reloaded
        Path config = Files.copy(Path.of(args[1]), war.resolveSibling("demo.properties"),
                StandardCopyOption.REPLACE_EXISTING);
        Path jettyHome = Path.of(args[2]);
        int port = Integer.getInteger("port", 8080);
        int adminPort = Integer.getInteger("admin.port", 8081);
        int upstreamPort = Integer.getInteger("upstream.port", 9081);
        int controlPort = Integer.getInteger("control.port", 9082);
        int wsPort = Integer.getInteger("ws.port", 9083);
        UpstreamServer upstream = new UpstreamServer("demo-upstream", upstreamPort);
        DemoUpstreamControl control = new DemoUpstreamControl(upstream, "demo-upstream", upstreamPort, controlPort);
        WebSocketUpstream echo = new WebSocketUpstream(wsPort);
        String ready = "Tollgate demo ready at http://localhost:" + port + "  (sample upstream at " + upstream.uri()
                + "; WebSocket echo at " + echo.uri() + "; admin endpoints at http://127.0.0.1:" + adminPort
                + "/_tollgate/; upstream switch at http://127.0.0.1:" + controlPort
                + "/upstream/stop and /upstream/start; configuration " + config + ", reloaded when it changes; "
                + "Ctrl-C stops it)";
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dgateway.config=" + config,
                "-Dgateway.services.demo.instances=" + upstream.uri(),
                "-Dgateway.services.echo.instances=" + echo.uri(),
                "-Dgateway.admin.port=" + adminPort,
                "-cp", classpath(jettyHome, war),
                DemoJetty.class.getName(), war.toString(), Integer.toString(port), Integer.toString(adminPort), ready));
        Process gateway = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.destroy(); // the gateway drains its requests first (gateway.shutdown.drain-timeout)
            try {
                gateway.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        int exit = gateway.waitFor();
        echo.close();
        control.close();
        System.exit(exit);
    }

    /**
     * The distribution's server jars, SLF4J and Logback, the server-level error handler ({@code tollgate-jetty-errors.jar} beside
     * the WAR) and this class's own location, for {@link DemoJetty}.
     */
    private static String classpath(Path jettyHome, Path war) throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(jettyHome.resolve("lib"))) {
            jars.filter(j -> SERVER_JARS.matcher(j.getFileName().toString()).matches()).sorted()
                    .forEach(j -> entries.add(j.toString()));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no Jetty distribution at " + jettyHome + "; run mvn package first");
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (LOGGING_JARS.matcher(Path.of(entry).getFileName().toString()).matches()) {
                entries.add(entry);
            }
        }
        entries.add(war.resolveSibling("tollgate-jetty-errors.jar").toString());
        try {
            entries.add(Path.of(DemoMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
