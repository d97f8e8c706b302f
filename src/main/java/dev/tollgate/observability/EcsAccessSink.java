package dev.tollgate.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import dev.tollgate.config.AccessLogConfig;
import dev.tollgate.config.ConfigException;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.event.KeyValuePair;

/**
 * Writes access records as one JSON line each, with key-value pairs named after the Elastic Common Schema that
 * {@link AccessLogEncoder} turns into top-level fields; each event carries the request's arrival time as its
 * {@code @timestamp}. The lines go to a Logback context of its own, not the application's logging, so they reach
 * the configured destination whichever logging the container gives the WAR (WildFly keeps its own): a file
 * rolled daily and at 100 MB (gzip, 7 days, at most 5 GB), or standard output. Used by the access log's single
 * writer thread; {@link #close()} flushes and closes the destination.
 */
final class EcsAccessSink implements Consumer<AccessRecord>, Flushable, AutoCloseable {
    static final String LOGGER = "tollgate.access";
    private static final String FQCN = EcsAccessSink.class.getName();

    private final LoggerContext context = new LoggerContext();
    private final Logger logger;
    private final OutputStreamAppender<ILoggingEvent> appender;

    /**
     * Opens the destination.
     *
     * @throws ConfigException naming {@code gateway.access-log.path} when the file cannot be written
     */
    EcsAccessSink(AccessLogDestination destination, String configured) {
        context.setName("tollgate-access");
        context.setMDCAdapter(new LogbackMDCAdapter()); // the events copy the MDC; a context of its own has none
        context.start();
        AccessLogEncoder encoder = new AccessLogEncoder();
        encoder.setContext(context);
        encoder.setServiceName("tollgate");
        encoder.setEventDataset(LOGGER);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = destination.isStdout() ? new ConsoleAppender<>()
                : rollingFile(destination);
        appender.setContext(context);
        appender.setName("access");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(false); // the writer thread flushes after each batch
        appender.start();
        if (!appender.isStarted()) {
            context.stop();
            throw new ConfigException(List.of(AccessLogConfig.KEY_PATH + " = \"" + configured
                    + "\": expected a file the gateway can write; cannot open " + destination + " ("
                    + firstError() + ")"));
        }
        logger = context.getLogger(LOGGER);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
        this.appender = appender;
    }

    private RollingFileAppender<ILoggingEvent> rollingFile(AccessLogDestination destination) {
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setFile(destination.file().toString());
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(file);
        policy.setFileNamePattern(destination.file() + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(FileSize.valueOf("100MB"));
        policy.setMaxHistory(7);
        policy.setTotalSizeCap(FileSize.valueOf("5GB"));
        policy.start();
        file.setRollingPolicy(policy);
        return file;
    }

    private String firstError() {
        for (Status s : context.getStatusManager().getCopyOfStatusList()) {
            if (s.getLevel() == Status.ERROR) {
                Throwable t = s.getThrowable();
                return t != null && t.getMessage() != null ? t.getMessage() : s.getMessage();
            }
        }
        return "unknown error";
    }

    @Override
    public void accept(AccessRecord r) {
        String message = r.request().method() + " " + r.request().path() + " " + r.result().status();
        LoggingEvent event = new LoggingEvent(FQCN, logger, Level.INFO, message, null, null);
        event.setTimeStamp(r.startEpochMillis());
        fields(r, (k, v) -> event.addKeyValuePair(new KeyValuePair(k, v)));
        logger.callAppenders(event);
    }

    /** The ECS fields of a record, in the documented order; null values are left out. */
    static void fields(AccessRecord r, BiConsumer<String, Object> out) {
        put(out, "event.kind", "event");
        put(out, "event.category", "web");
        put(out, "event.duration", r.result().durationNanos());
        put(out, "http.request.id", r.request().requestId());
        put(out, "trace.id", r.request().traceId());
        put(out, "client.ip", r.request().clientAddress());
        put(out, "http.request.method", r.request().method());
        put(out, "url.path", r.request().path());
        put(out, "http.version", version(r.request().protocol()));
        put(out, "http.response.status_code", r.result().status());
        put(out, "http.request.body.bytes", r.result().bytesIn());
        put(out, "http.response.body.bytes", r.result().bytesOut());
        put(out, "event.outcome", r.result().status() >= 500 ? "failure" : "success");
        put(out, "user.id", r.decisions().principal());
        put(out, "tollgate.route", r.target().route());
        put(out, "service.target.name", r.target().service());
        put(out, "tollgate.upstream", r.target().upstream());
        put(out, "tollgate.rate_limit", r.decisions().rateLimit());
        put(out, "tollgate.breaker", r.decisions().breaker());
        put(out, "tollgate.cache.hit", r.decisions().cacheHit());
    }

    private static String version(String protocol) {
        if (protocol == null) {
            return null;
        }
        int slash = protocol.indexOf('/');
        return slash < 0 ? protocol : protocol.substring(slash + 1);
    }

    private static void put(BiConsumer<String, Object> out, String key, Object value) {
        if (value != null) {
            out.accept(key, value);
        }
    }

    /** Writes out what the destination buffered; called on the writer thread after a batch. */
    @Override
    public void flush() throws IOException {
        OutputStream out = appender.getOutputStream();
        if (out != null) {
            out.flush();
        }
    }

    /** Flushes and closes the destination; called once the writer thread has stopped. */
    @Override
    public void close() {
        context.stop();
    }
}
