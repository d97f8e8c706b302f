package dev.tollgate.observability;

import dev.tollgate.config.AccessLogConfig;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the access log goes, resolved once at start-up from {@code gateway.access-log.path}: a file, or standard
 * output ({@code file} null). {@value AccessLogConfig#CONTAINER} picks the log directory of the container the WAR
 * runs in, found by the system property that container sets: WildFly's {@value #WILDFLY_LOG_DIR}, then the Jetty
 * distribution's {@value #JETTY_BASE} (its {@code logs/} directory, where Jetty's own logs go); in any other
 * container (an embedded server, the demo) it is standard output. Immutable.
 *
 * @param file the log file, or null for standard output
 */
public record AccessLogDestination(Path file) {
    static final String WILDFLY_LOG_DIR = "jboss.server.log.dir";
    static final String JETTY_BASE = "jetty.base";
    static final String FILE_NAME = "tollgate-access.json";

    /**
     * @param configured the validated value of {@code gateway.access-log.path}
     * @param systemProperty reads a system property, null when unset
     */
    public static AccessLogDestination resolve(String configured, Function<String, String> systemProperty) {
        if (configured.equals(AccessLogConfig.STDOUT)) {
            return new AccessLogDestination(null);
        }
        if (!configured.equals(AccessLogConfig.CONTAINER)) {
            return new AccessLogDestination(Path.of(configured));
        }
        String wildfly = systemProperty.apply(WILDFLY_LOG_DIR);
        if (wildfly != null && !wildfly.isBlank()) {
            return new AccessLogDestination(Path.of(wildfly, FILE_NAME));
        }
        String jetty = systemProperty.apply(JETTY_BASE);
        if (jetty != null && !jetty.isBlank()) {
            return new AccessLogDestination(Path.of(jetty, "logs", FILE_NAME));
        }
        return new AccessLogDestination(null);
    }

    public boolean isStdout() {
        return file == null;
    }

    @Override
    public String toString() {
        return isStdout() ? AccessLogConfig.STDOUT : file.toString();
    }
}
