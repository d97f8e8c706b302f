package dev.tollgate.discovery;

import dev.tollgate.config.ConsulServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.core5.concurrent.Cancellable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one consul service's {@link ServicePool} current: a loop of blocking queries on its own daemon thread.
 * A change is installed as soon as Consul answers; a failed query leaves the last good instances in place,
 * marked stale, and the loop retries with backoff. Thread-safe: {@link #resync()} and {@link #close()} may be
 * called from any thread.
 */
final class ConsulWatcher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsulWatcher.class);

    private final ServicePool pool;
    private final ConsulServiceConfig query;
    private final ConsulClient client;
    private final BlockingQuery loop;
    private final Runnable onChange;
    private final LongAdder errors = new LongAdder();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private final Object pause = new Object();
    private final Thread thread;
    /** The query in flight, aborted by {@link #stop()}. */
    private final AtomicReference<Cancellable> inFlight = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * @param query the Consul query, datacenter resolved
     * @param onChange called after a change of the instances has been installed (saves the snapshot file)
     */
    ConsulWatcher(ServicePool pool, ConsulServiceConfig query, ConsulClient client, BlockingQuery loop,
                  Runnable onChange) {
        this.pool = pool;
        this.query = query;
        this.client = client;
        this.loop = loop;
        this.onChange = onChange;
        this.thread = new Thread(this, "tollgate-consul-" + pool.name());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits up to {@code timeout} for the first query's outcome; returns whether it came. */
    boolean awaitFirstAttempt(Duration timeout) throws InterruptedException {
        return firstAttempt.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    ServicePool pool() {
        return pool;
    }

    ConsulServiceConfig query() {
        return query;
    }

    long errors() {
        return errors.sum();
    }

    @Override
    public void run() {
        while (!closed) {
            long index;
            Duration wait;
            synchronized (loop) {
                index = loop.index();
                wait = loop.waitTime();
            }
            try {
                ConsulClient.Result r = client.health(query, index, wait, this::sending);
                boolean wasStale = pool.snapshot().stale();
                boolean changed = pool.update(r.instances());
                synchronized (loop) {
                    loop.succeeded(index, r.index());
                }
                if (changed) {
                    LOG.info("service={} consul={} instances changed: {}", pool.name(), query.service(),
                            r.instances());
                    onChange.run();
                } else if (wasStale) {
                    LOG.info("service={} consul={} reachable again; {} instances", pool.name(), query.service(),
                            r.instances().size());
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    break;
                }
                errors.increment();
                Duration backoff;
                synchronized (loop) {
                    backoff = loop.failed();
                }
                if (pool.markStale()) {
                    LOG.warn("service={} consul={} query failed; serving the last {} instances (stale), retrying: {}",
                            pool.name(), query.service(), pool.snapshot().instances().size(), e.toString());
                } else {
                    LOG.debug("service={} query failed again, next try in {} ms: {}", pool.name(), backoff.toMillis(),
                            e.toString());
                }
                firstAttempt.countDown();
                sleep(backoff);
                continue;
            }
            firstAttempt.countDown();
        }
    }

    private void sleep(Duration d) {
        synchronized (pause) {
            try {
                if (!closed) {
                    pause.wait(Math.max(1, d.toMillis()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    /**
     * Reads the service from Consul now (not blocking) and installs the answer; the loop also starts over with a
     * full read. A management operation.
     *
     * @return a summary for the audit line
     */
    String resync() throws IOException {
        ConsulClient.Result r = client.health(query, 0, Duration.ZERO);
        boolean changed = pool.update(r.instances());
        synchronized (loop) {
            loop.requestFullRead();
        }
        if (changed) {
            onChange.run();
        }
        return r.instances().size() + " instances" + (changed ? " (changed)" : "");
    }

    private void sending(Cancellable query) {
        inFlight.set(query);
        if (closed) {
            query.cancel();
        }
    }

    /** Stops the loop and aborts its query in flight. */
    void stop() {
        closed = true;
        Cancellable q = inFlight.get();
        if (q != null) {
            q.cancel();
        }
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    /** Waits for the thread to end, up to {@code timeout}. */
    void join(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
    }
}
