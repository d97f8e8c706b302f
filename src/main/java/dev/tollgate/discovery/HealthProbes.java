package dev.tollgate.discovery;

import dev.tollgate.config.HealthCheckConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active health checks of every service that has one: each round, for each instance of the service's current
 * snapshot, an HTTP GET of the check's path, started after a random delay of up to a tenth of the interval (so
 * instances and gateways do not check in step), then the next round after the interval plus such a jitter. A check
 * passes with an expected status within the timeout; anything else (another status, refused, reset, timed out)
 * fails it. The results drive each member's {@link ActiveHealth} state; a change is logged once (WARN when an
 * instance becomes unhealthy, INFO when it is healthy again). An instance still being checked is not checked again
 * in the next round. Instances leaving the snapshot leave with their state. Services come and go with
 * {@link #add} and {@link #remove} (a reload): a removed service's rounds stop, and the answers of its checks still
 * in flight are ignored.
 *
 * <p>Nothing here runs on a request's path: one timer thread ({@code tollgate-health-check}) starts the checks and
 * enforces their deadline, and one I/O thread ({@code tollgate-health-check-io}) of a separate HttpClient 5 async
 * client carries them, so checks never take connections from the proxy's pool nor its threads. Both start with the
 * first service added. {@link #close()} once. Thread-safe.
 */
final class HealthProbes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthProbes.class);
    private static final double JITTER = 0.1;
    /**
     * The client's own connect and socket timeout: only a backstop, since the timer cancels each check at its own
     * timeout.
     */
    private static final Duration BACKSTOP = Duration.ofMinutes(1);

    /** A service whose instances are checked. */
    record Target(ServicePool pool, HealthCheckConfig config) {
        ActiveHealth thresholds() {
            return new ActiveHealth(config.healthyThreshold(), config.unhealthyThreshold());
        }
    }

    /** An instance being checked, of one pool (by identity: a reload's new pool checks its instances anew). */
    private record Checking(ServicePool pool, Instance instance) {
    }

    private final DoubleSupplier random;
    /** The services whose rounds run. */
    private final Set<Target> active = ConcurrentHashMap.newKeySet();
    /** The instances being checked. */
    private final Set<Checking> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService timer;
    private CloseableHttpAsyncClient client;

    /** @param random numbers in [0, 1) for the jitter */
    HealthProbes(DoubleSupplier random) {
        this.random = random;
    }

    /**
     * Starts checking a service: its first round within a tenth of its interval. The first service added starts
     * the client and the timer.
     */
    synchronized void add(Target t) {
        if (closed.get()) {
            return;
        }
        if (timer == null) {
            startClient(t.config().timeout().compareTo(BACKSTOP) > 0 ? t.config().timeout() : BACKSTOP);
        }
        active.add(t);
        ActiveHealth thresholds = t.thresholds();
        schedule(() -> round(t, thresholds), jitter(t.config().interval()));
        LOG.info("service={} health check GET {} every {} ms, timeout {} ms, unhealthy after {} failures, "
                        + "healthy after {} passes, expecting {}", t.pool().name(), t.config().path(),
                t.config().interval().toMillis(), t.config().timeout().toMillis(),
                thresholds.unhealthyThreshold(), thresholds.healthyThreshold(), t.config().expectedStatuses());
    }

    /** Stops checking a service (its pool was replaced by a reload); answers still in flight are ignored. */
    void remove(Target t) {
        active.remove(t);
    }

    private void startClient(Duration backstop) {
        Timeout deadline = Timeout.ofMilliseconds(backstop.toMillis());
        AtomicInteger ioThreads = new AtomicInteger();
        client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(2)
                        .setMaxConnTotal(Integer.MAX_VALUE)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(deadline)
                                .setSocketTimeout(deadline).build())
                        .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                                .build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).setSoTimeout(deadline).build())
                .setThreadFactory(r -> daemon(r, "tollgate-health-check-io-" + ioThreads.incrementAndGet()))
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement()
                .disableAuthCaching().disableConnectionState().disableContentCompression()
                .build();
        client.start();
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tollgate-health-check"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private long jitter(Duration interval) {
        return (long) (interval.toMillis() * JITTER * random.getAsDouble());
    }

    private void schedule(Runnable task, long delayMillis) {
        if (closed.get()) {
            return;
        }
        try {
            timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the timer is shut down
        }
    }

    private void round(Target t, ActiveHealth thresholds) {
        if (!active.contains(t)) {
            return;
        }
        try {
            for (Member m : t.pool().members()) {
                if (inFlight.add(new Checking(t.pool(), m.instance()))) {
                    schedule(() -> probe(t, thresholds, m), jitter(t.config().interval()));
                }
            }
        } finally {
            schedule(() -> round(t, thresholds), t.config().interval().toMillis() + jitter(t.config().interval()));
        }
    }

    private void probe(Target t, ActiveHealth thresholds, Member m) {
        if (closed.get() || !active.contains(t)) {
            inFlight.remove(new Checking(t.pool(), m.instance()));
            return;
        }
        HealthCheckConfig cfg = t.config();
        Instance instance = m.instance();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?>[] deadline = new ScheduledFuture<?>[1];
        Future<Message<HttpResponse, Void>> exchange;
        try {
            URI uri = URI.create(instance.scheme() + "://" + instance.authority() + instance.basePath() + cfg.path());
            exchange = client.execute(
                    SimpleRequestProducer.create(SimpleRequestBuilder.get(uri)
                            .setHeader("User-Agent", "tollgate-health-check").build()),
                    new BasicResponseConsumer<>(new DiscardingEntityConsumer<>()),
                    new FutureCallback<>() {
                        @Override
                        public void completed(Message<HttpResponse, Void> result) {
                            int status = result.getHead().getCode();
                            done(t, thresholds, m, cfg.expects(status), "status " + status, deadline[0]);
                        }

                        @Override
                        public void failed(Exception e) {
                            done(t, thresholds, m, false, describe(e), deadline[0]);
                        }

                        @Override
                        public void cancelled() {
                            done(t, thresholds, m, false, timedOut.get()
                                    ? "no answer within " + cfg.timeout().toMillis() + " ms" : "cancelled", deadline[0]);
                        }
                    });
        } catch (RuntimeException e) {
            done(t, thresholds, m, false, describe(e), null);
            return;
        }
        try {
            deadline[0] = timer.schedule(() -> {
                timedOut.set(true);
                exchange.cancel(true);
            }, cfg.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            exchange.cancel(true);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void done(Target t, ActiveHealth thresholds, Member m, boolean passed, String detail,
                      ScheduledFuture<?> deadline) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        inFlight.remove(new Checking(t.pool(), m.instance()));
        if (closed.get() || !active.contains(t)) {
            return;
        }
        ActiveHealth.State before = m.active().getAndUpdate(s -> thresholds.next(s, passed));
        ActiveHealth.State after = thresholds.next(before, passed);
        if (before.healthy() == after.healthy() || !t.pool().contains(m.instance())) {
            LOG.debug("service={} instance={} health check {}: {}", t.pool().name(), m.instance(),
                    passed ? "passed" : "failed", detail);
            return;
        }
        if (after.healthy()) {
            LOG.info("service={} instance={} healthy again: {} health checks passed in a row (last: {})",
                    t.pool().name(), m.instance(), before.checked() ? thresholds.healthyThreshold() : 1, detail);
        } else {
            LOG.warn("service={} instance={} unhealthy, not used until {} health checks pass in a row: "
                            + "{} failed in a row (last: {})", t.pool().name(), m.instance(),
                    thresholds.healthyThreshold(), before.checked() ? thresholds.unhealthyThreshold() : 1, detail);
        }
    }

    /** Stops the rounds, aborts the checks in flight and closes the client. */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true) || timer == null) {
            return;
        }
        active.clear();
        timer.shutdownNow();
        client.close(CloseMode.IMMEDIATE);
    }
}
