package dev.tollgate.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes access records to the logger {@value #LOGGER} as key-value pairs named after the Elastic Common
 * Schema; {@link AccessLogEncoder} turns them into one JSON line. With Logback the event carries the request's
 * arrival time as its {@code @timestamp}; with another SLF4J backend the pairs go through the fluent API.
 * Used by the access log's single writer thread.
 */
final class EcsAccessSink implements Consumer<AccessRecord> {
    static final String LOGGER = "tollgate.access";
    private static final String FQCN = EcsAccessSink.class.getName();

    private final Logger logger = LoggerFactory.getLogger(LOGGER);

    @Override
    public void accept(AccessRecord r) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        String message = r.method() + " " + r.path() + " " + r.status();
        if (logger instanceof ch.qos.logback.classic.Logger) {
            ch.qos.logback.classic.Logger lb = (ch.qos.logback.classic.Logger) logger;
            LoggingEvent event = new LoggingEvent(FQCN, lb, Level.INFO, message, null, null);
            event.setTimeStamp(r.startEpochMillis());
            fields(r, (k, v) -> event.addKeyValuePair(new KeyValuePair(k, v)));
            lb.callAppenders(event);
        } else {
            LoggingEventBuilder b = logger.atInfo().setMessage(message);
            fields(r, b::addKeyValue);
            b.log();
        }
    }

    /** The ECS fields of a record, in the documented order; null values are left out. */
    static void fields(AccessRecord r, java.util.function.BiConsumer<String, Object> out) {
        put(out, "event.kind", "event");
        put(out, "event.category", "web");
        put(out, "event.duration", r.durationNanos());
        put(out, "http.request.id", r.requestId());
        put(out, "trace.id", r.traceId());
        put(out, "client.ip", r.clientAddress());
        put(out, "http.request.method", r.method());
        put(out, "url.path", r.path());
        put(out, "http.version", version(r.protocol()));
        put(out, "http.response.status_code", r.status());
        put(out, "http.request.body.bytes", r.bytesIn());
        put(out, "http.response.body.bytes", r.bytesOut());
        put(out, "event.outcome", r.status() >= 500 ? "failure" : "success");
        put(out, "user.id", r.principal());
        put(out, "tollgate.route", r.route());
        put(out, "service.target.name", r.service());
        put(out, "tollgate.upstream", r.upstream());
        put(out, "tollgate.rate_limit", r.rateLimit());
        put(out, "tollgate.breaker", r.breaker());
        put(out, "tollgate.cache.hit", r.cacheHit());
    }

    private static String version(String protocol) {
        if (protocol == null) {
            return null;
        }
        int slash = protocol.indexOf('/');
        return slash < 0 ? protocol : protocol.substring(slash + 1);
    }

    private static void put(java.util.function.BiConsumer<String, Object> out, String key, Object value) {
        if (value != null) {
            out.accept(key, value);
        }
    }
}
