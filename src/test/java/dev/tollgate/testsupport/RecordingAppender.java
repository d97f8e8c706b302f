package dev.tollgate.testsupport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A Logback appender for tests: encodes each event with a real encoder and keeps the lines. Thread-safe. (A
 * stuck log destination is played by {@link StdoutGate}.)
 */
public final class RecordingAppender extends AppenderBase<ILoggingEvent> {
    private final Encoder<ILoggingEvent> encoder;
    private final List<String> lines = new ArrayList<>();

    public RecordingAppender(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Attaches a started appender to the named logger (of the shared Logback context). */
    public static RecordingAppender attach(String loggerName, Encoder<ILoggingEvent> encoder) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        RecordingAppender a = new RecordingAppender(encoder);
        a.setContext(logger.getLoggerContext());
        encoder.setContext(logger.getLoggerContext());
        encoder.start();
        a.start();
        logger.addAppender(a);
        return a;
    }

    /** As {@link #attach(String, Encoder)}, with a pattern encoder, e.g. {@code "%level %msg%n"}. */
    public static RecordingAppender attach(String loggerName, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setPattern(pattern);
        return attach(loggerName, encoder);
    }

    public void detach(String loggerName) {
        ((Logger) LoggerFactory.getLogger(loggerName)).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        synchronized (lines) {
            lines.add(line);
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
