package dev.tollgate.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import co.elastic.logging.JsonUtils;
import co.elastic.logging.logback.EcsEncoder;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * Elastic's ECS encoder plus the event's SLF4J key-value pairs as top-level fields: numbers and booleans as
 * JSON numbers and booleans (ECS types {@code long} and {@code boolean}), everything else as strings. Used by
 * the access log's appender ({@link EcsAccessSink}). Thread-safe as Logback encoders are (one appender).
 */
public class AccessLogEncoder extends EcsEncoder {
    @Override
    protected void addCustomFields(ILoggingEvent event, StringBuilder builder) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs == null) {
            return;
        }
        for (KeyValuePair p : pairs) {
            if (p.key == null || p.value == null) {
                continue;
            }
            builder.append('"');
            JsonUtils.quoteAsString(p.key, builder);
            builder.append("\":");
            if (p.value instanceof Number || p.value instanceof Boolean) {
                builder.append(p.value);
            } else {
                builder.append('"');
                JsonUtils.quoteAsString(String.valueOf(p.value), builder);
                builder.append('"');
            }
            builder.append(',');
        }
    }
}
