package dev.tollgate.observability;

import dev.tollgate.config.AccessLogConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Flushable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log's hand-off: request threads {@link #log offer} a record to a bounded queue and return at once;
 * one writer thread takes records in batches and passes them to the sink (the ECS JSON logger), flushing a
 * {@link Flushable} sink after each batch. The writer is never woken by a request: it looks for records every
 * {@value #IDLE_MILLIS} ms when the queue was empty, so a busy gateway pays no context switch per line. When the
 * queue is full
 * the record is dropped and counted ({@value #DROPPED}): a slow disk or a stuck collector never slows a
 * request. A reload of the access-log settings replaces the channel (queue, writer and sink) in one step.
 * Thread-safe; {@link #close()} writes what is queued (briefly), stops the writer and closes the sink when it is
 * {@link AutoCloseable}.
 */
public final class AccessLog implements AutoCloseable {
    public static final String DROPPED = "tollgate.access_log.dropped";
    public static final String WRITTEN = "tollgate.access_log.written";
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final long CLOSE_WAIT_MILLIS = 2000;
    private static final int IDLE_MILLIS = 20;
    private static final int BATCH = 1024;

    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    /** Where records go now; a reload of {@code gateway.access-log.*} replaces it ({@link #use}). */
    private volatile Channel channel;

    /**
     * @param capacity the most records waiting for the writer
     * @param sink writes one record, called on the writer thread only; null for a disabled log
     * @param registry where the written and dropped counters go
     */
    public AccessLog(int capacity, Consumer<AccessRecord> sink, MeterRegistry registry) {
        FunctionCounter.builder(DROPPED, dropped, LongAdder::sum)
                .description("access-log lines dropped because the queue was full").register(registry);
        FunctionCounter.builder(WRITTEN, written, LongAdder::sum)
                .description("access-log lines handed to the log writer").register(registry);
        this.channel = new Channel(capacity, sink);
    }

    /**
     * The access log of the configuration, writing ECS JSON lines to {@code gateway.access-log.path} as resolved
     * against the system properties of the container; with no writer (logs nothing) when disabled.
     *
     * @throws dev.tollgate.config.ConfigException naming the key when the destination cannot be written
     */
    public static AccessLog start(AccessLogConfig config, MeterRegistry registry) {
        AccessLog log = new AccessLog(config.queueSize(), null, registry);
        log.channel = log.open(config);
        return log;
    }

    /**
     * A channel for a reloaded configuration, not yet in use: its destination is opened (and checked) here, so
     * that a reload can refuse a destination that cannot be written before it changes anything.
     *
     * @throws dev.tollgate.config.ConfigException naming the key when the destination cannot be written
     */
    public Channel open(AccessLogConfig config) {
        if (!config.enabled()) {
            return new Channel(config.queueSize(), null);
        }
        AccessLogDestination destination = AccessLogDestination.resolve(config.path(), System::getProperty);
        EcsAccessSink sink = new EcsAccessSink(destination, config.path());
        LOG.info("access log to {}", destination);
        return new Channel(config.queueSize(), sink);
    }

    /**
     * Sends records to {@code next} from now on, and closes the channel it replaces once that has written what
     * it holds (briefly; what it cannot write in time is counted as dropped, like a record that arrives there
     * after the switch).
     */
    public void use(Channel next) {
        Channel replaced = channel;
        channel = next;
        replaced.close();
    }

    /** Whether records are written at all. */
    public boolean isEnabled() {
        return channel.sink != null;
    }

    /** Queues the record, or drops and counts it when the queue is full. Never blocks. */
    public void log(AccessRecord record) {
        Channel c = channel;
        if (c.sink == null) {
            return;
        }
        if (c.closed || !c.queue.offer(record)) {
            dropped.increment();
        }
    }

    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    @Override
    public void close() {
        channel.close();
    }

    private static boolean reportFailure(Exception e, boolean failing) {
        if (!failing) {
            LOG.error("access-log: cannot write lines ({}); counting them as dropped", e.toString());
        }
        return true;
    }

    /** One destination: its bounded queue, its writer thread and its sink. */
    public final class Channel {
        private final ArrayBlockingQueue<AccessRecord> queue;
        private final Consumer<AccessRecord> sink;
        private final Thread writer;
        private volatile boolean closed;

        private Channel(int capacity, Consumer<AccessRecord> sink) {
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.sink = sink;
            this.writer = new Thread(this::drain, "tollgate-access-log");
            writer.setDaemon(true);
            if (sink != null) {
                writer.start();
            }
        }

        private void drain() {
            List<AccessRecord> batch = new ArrayList<>(BATCH);
            boolean failing = false;
            while (!closed || !queue.isEmpty()) {
                if (queue.drainTo(batch, BATCH) == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
                    if (Thread.interrupted()) {
                        return;
                    }
                    continue;
                }
                for (AccessRecord r : batch) {
                    failing = write(r, failing);
                }
                batch.clear();
                if (queue.isEmpty() && sink instanceof Flushable) {
                    try {
                        ((Flushable) sink).flush();
                    } catch (IOException | RuntimeException e) {
                        failing = reportFailure(e, failing);
                    }
                }
            }
        }

        /** Writes one record; returns whether the sink is failing (its failure is logged once per streak). */
        private boolean write(AccessRecord r, boolean failing) {
            try {
                sink.accept(r);
                written.increment();
                return false;
            } catch (RuntimeException e) {
                dropped.increment();
                return reportFailure(e, failing);
            }
        }

        /** Writes what is queued (briefly), stops the writer and closes the sink when it is closeable. */
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
                dropped.add(queue.size());
                LOG.warn("access-log: writer did not finish within {} ms; {} lines left unwritten",
                        CLOSE_WAIT_MILLIS, queue.size());
            }
            if (sink instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) sink).close();
                } catch (Exception e) {
                    LOG.warn("access-log: cannot close the destination ({})", e.toString());
                }
            }
        }
    }
}
