package dev.tollgate.observability;

import dev.tollgate.config.AccessLogConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log's hand-off: request threads {@link #log offer} a record to a bounded queue and return at once;
 * one writer thread takes records and passes them to the sink (the ECS JSON logger). When the queue is full
 * the record is dropped and counted ({@value #DROPPED}): a slow disk or a stuck collector never slows a
 * request. Thread-safe; {@link #close()} writes what is queued (briefly), stops the writer and closes the sink
 * when it is {@link AutoCloseable}.
 */
public final class AccessLog implements AutoCloseable {
    public static final String DROPPED = "tollgate.access_log.dropped";
    public static final String WRITTEN = "tollgate.access_log.written";
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final long CLOSE_WAIT_MILLIS = 2000;

    private final ArrayBlockingQueue<AccessRecord> queue;
    private final Consumer<AccessRecord> sink;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private volatile boolean closed;

    /**
     * @param capacity the most records waiting for the writer
     * @param sink writes one record, called on the writer thread only; null for a disabled log
     * @param registry where the written and dropped counters go
     */
    public AccessLog(int capacity, Consumer<AccessRecord> sink, MeterRegistry registry) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = sink;
        FunctionCounter.builder(DROPPED, dropped, LongAdder::sum)
                .description("access-log lines dropped because the queue was full").register(registry);
        FunctionCounter.builder(WRITTEN, written, LongAdder::sum)
                .description("access-log lines handed to the log writer").register(registry);
        this.writer = new Thread(this::drain, "tollgate-access-log");
        writer.setDaemon(true);
        if (sink != null) {
            writer.start();
        }
    }

    /**
     * The access log of the configuration, writing ECS JSON lines to {@code gateway.access-log.path} as resolved
     * against the system properties of the container; with no writer (logs nothing) when disabled.
     *
     * @throws dev.tollgate.config.ConfigException naming the key when the destination cannot be written
     */
    public static AccessLog start(AccessLogConfig config, MeterRegistry registry) {
        if (!config.enabled()) {
            return new AccessLog(config.queueSize(), null, registry);
        }
        AccessLogDestination destination = AccessLogDestination.resolve(config.path(), System::getProperty);
        EcsAccessSink sink = new EcsAccessSink(destination, config.path());
        LOG.info("start-up: access log to {}", destination);
        return new AccessLog(config.queueSize(), sink, registry);
    }

    /** Whether records are written at all. */
    public boolean isEnabled() {
        return sink != null;
    }

    /** Queues the record, or drops and counts it when the queue is full. Never blocks. */
    public void log(AccessRecord record) {
        if (sink == null) {
            return;
        }
        if (closed || !queue.offer(record)) {
            dropped.increment();
        }
    }

    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    private void drain() {
        boolean failing = false;
        while (!closed || !queue.isEmpty()) {
            AccessRecord r;
            try {
                r = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r == null) {
                continue;
            }
            try {
                sink.accept(r);
                written.increment();
                failing = false;
            } catch (RuntimeException e) {
                dropped.increment();
                if (!failing) {
                    failing = true; // logged once per failure streak, not per line
                    LOG.error("access-log: cannot write lines ({}); counting them as dropped", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (sink == null) {
            return;
        }
        try {
            writer.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
            LOG.warn("shutdown: access-log writer did not finish within {} ms; {} lines left unwritten",
                    CLOSE_WAIT_MILLIS, queue.size());
        }
        if (sink instanceof AutoCloseable) {
            try {
                ((AutoCloseable) sink).close();
            } catch (Exception e) {
                LOG.warn("shutdown: cannot close the access log ({})", e.toString());
            }
        }
    }
}
