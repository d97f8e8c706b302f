package dev.tollgate.testsupport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A Logback appender for tests: encodes each event with a real encoder and keeps the lines; while closed, it
 * blocks every append (a stuck disk or collector) until opened. Thread-safe.
 */
public final class GateAppender extends AppenderBase<ILoggingEvent> {
    private final Encoder<ILoggingEvent> encoder;
    private final List<String> lines = new ArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile int blocked;

    public GateAppender(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Attaches a started appender to the named logger (of the shared Logback context). */
    public static GateAppender attach(String loggerName, Encoder<ILoggingEvent> encoder) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        GateAppender a = new GateAppender(encoder);
        a.setContext(logger.getLoggerContext());
        encoder.setContext(logger.getLoggerContext());
        encoder.start();
        a.start();
        logger.addAppender(a);
        return a;
    }

    public void detach(String loggerName) {
        open();
        ((Logger) LoggerFactory.getLogger(loggerName)).detachAppender(this);
        stop();
    }

    public void close() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        gate.countDown();
    }

    /** Appends waiting at the gate now. */
    public int blocked() {
        return blocked;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        blocked++;
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            blocked--;
        }
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
