package dev.tollgate.proxy;

import dev.tollgate.discovery.Discovery;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.InstanceOutcome;
import dev.tollgate.discovery.Lease;
import dev.tollgate.http.HeaderNames;
import dev.tollgate.resilience.BreakerOpenException;
import dev.tollgate.resilience.InstancePicker;
import dev.tollgate.resilience.ResponseCapture;
import dev.tollgate.resilience.RetryPolicy;
import dev.tollgate.resilience.UpstreamGuard;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request on its way through the proxy core, from the bulkhead to the last byte of the response. It
 * runs the attempts: an instance lease, the breaker, the upstream exchange, a retry on another instance after a
 * retryable failure (after a jittered backoff on the scheduler, never a sleeping thread), the stale-if-error copy,
 * and the outcome for passive health. Nothing in it blocks: each step is a callback of the client side, of an
 * I/O reactor thread, or of the scheduler. Failures become answers in one place ({@link #fail}); once the response
 * has started, a failure aborts the client connection. Not reused; thread-safe for the callbacks it receives.
 */
final class Exchange implements Downstream.Events, UpstreamAttempt.Relay {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    private final Proxy proxy;
    private final RequestHead head;
    private final Downstream client;
    private final ProxyRules rules;
    private final UpstreamGuard guard;
    private final Discovery discovery;
    private final Set<Instance> tried = new HashSet<>(2);
    private final AtomicBoolean finished = new AtomicBoolean();
    private RequestBody body;
    private boolean retryable;
    private volatile UpstreamAttempt current;
    private volatile ResponseCapture capture;
    private volatile HttpResponse response;
    private volatile boolean responded;
    private volatile boolean expired;
    private volatile ScheduledFuture<?> deadline;

    Exchange(Proxy proxy, RequestHead head, Downstream client, ProxyRules rules) {
        this.proxy = proxy;
        this.head = head;
        this.client = client;
        this.rules = rules;
        this.discovery = rules.services();
        this.guard = rules.guards().guard(head.service());
    }

    void start() {
        if (!guard.tryEnter()) {
            client.record(null, "bulkhead-full", null);
            client.problem(503, "Service Unavailable", "The upstream service has too many requests in flight.", false,
                    HeaderNames.RETRY_AFTER, "1");
            return;
        }
        client.listen(this);
        guard.recordRequest();
        Duration total = head.route().config().limits().totalTimeout();
        if (total != null) {
            deadline = proxy.scheduler().schedule(this::expire, total.toMillis(), TimeUnit.MILLISECONDS);
        }
        long limit = head.route().config().limits().maxBodySize();
        readBody(limit);
    }

    /**
     * Reads the client's body the way the request needs it: none; an HTTP/2 body of unknown length, begun once
     * its first data or its end shows whether there is one; buffered whole when a retry could resend it; else
     * piped to the upstream as it arrives.
     */
    private void readBody(long limit) {
        switch (client.body()) {
            case NONE:
                body = RequestBody.none();
                begin();
                break;
            case UNKNOWN: {
                // HTTP/2 without a length: wait for the first data or the end, so that a request without a body is
                // sent without one (no chunked framing on a GET)
                PipedBody pipe = new PipedBody(client, -1, limit, rules.bodyRate(), this::bodyFailed);
                pipe.onFirst(() -> {
                    body = pipe.isEmpty() ? RequestBody.none() : pipe;
                    begin();
                });
                client.readBody(pipe);
                break;
            }
            default:
                if (guard.retryPolicy().buffers(head.method(), client.contentLength())) {
                    BufferedBody buffered = new BufferedBody(client.contentLength(), limit,
                            rules.bodyRate(), failure -> {
                                if (failure == null) {
                                    begin();
                                } else {
                                    fail(null, failure);
                                }
                            });
                    body = buffered;
                    client.readBody(buffered);
                } else {
                    long length = client.body() == Downstream.Body.LENGTH ? client.contentLength() : -1;
                    PipedBody pipe = new PipedBody(client, length, limit, rules.bodyRate(),
                            this::bodyFailed);
                    body = pipe;
                    client.readBody(pipe);
                    begin();
                }
        }
    }

    private void begin() {
        retryable = guard.retryPolicy().allows(head.method(), body.isRepeatable());
        send(1);
    }

    private void send(int attempt) {
        if (finished.get()) {
            return;
        }
        Lease lease = InstancePicker.pick(discovery, head.service(),
                head.route().config().target().loadBalancer(), tried);
        if (lease == null) {
            client.problem(503, "Service Unavailable", "The upstream service has no available instance.", false,
                    HeaderNames.RETRY_AFTER, "1");
            finish();
            return;
        }
        Instance instance = lease.instance();
        tried.add(instance);
        client.record(instance.toString(), null, null);
        UpstreamAttempt a = new UpstreamAttempt(lease, rules.headers().request(head, instance), body.producer());
        current = a;
        Set<Integer> failing = guard.failureStatuses();
        guard.attempt(() -> judged(a), r -> failing.contains(r.getCode()))
                .whenComplete((r, e) -> {
                    Throwable t = unwrap(e);
                    if (t instanceof InstanceOutcomes.EjectedInstanceFailure) {
                        t = t.getCause();
                    }
                    if (t != null) {
                        failed(a, attempt, t);
                    } else {
                        answered(a, attempt, r);
                    }
                });
    }

    /**
     * The attempt, with its failure reported to passive health before the breaker judges it: a failure that
     * leaves the instance ejected reaches the breaker wrapped, so that it does not count against the service.
     */
    private CompletionStage<HttpResponse> judged(UpstreamAttempt a) {
        CompletableFuture<HttpResponse> judged = new CompletableFuture<>();
        a.start(proxy.client(), head.route().config()).whenComplete((r, e) -> {
            Throwable t = unwrap(e);
            if (t == null) {
                judged.complete(r);
                return;
            }
            a.release(InstanceOutcomes.of(t));
            judged.completeExceptionally(a.instanceEjected() ? new InstanceOutcomes.EjectedInstanceFailure(t) : t);
        });
        return judged;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** The attempt failed before its response head. */
    private void failed(UpstreamAttempt a, int attempt, Throwable e) {
        if (e instanceof BreakerOpenException) {
            a.release(InstanceOutcome.NOT_COUNTED);
            rules.stale().answerOpen(head, client, (BreakerOpenException) e);
            finish();
            return;
        }
        a.release(InstanceOutcomes.of(e));
        if (retryable && !expired && !FailureMapper.map(e).clientFault()
                && retry(RetryPolicy.classify(e), attempt, a)) {
            return;
        }
        fail(a.instance(), e);
    }

    /** The attempt has its response head: retried when it is a failure status and a retry is allowed, else relayed. */
    private void answered(UpstreamAttempt a, int attempt, HttpResponse r) {
        if (finished.get()) {
            a.abort(new java.util.concurrent.CancellationException("exchange already ended"));
            a.release(InstanceOutcome.NOT_COUNTED);
            return;
        }
        if (retryable && !expired && guard.failureStatuses().contains(r.getCode())
                && retry(RetryPolicy.AttemptFailure.STATUS, attempt, a)) {
            // the answer is dropped unread: its connection is closed rather than drained
            a.abort(new java.util.concurrent.CancellationException("retried"));
            a.release(InstanceOutcome.SUCCESS);
            return;
        }
        HeaderPolicy.ResponseHead out = rules.headers().response(r, head);
        response = r;
        capture = rules.stale().capture(head, r, out.contentLength());
        responded = true;
        client.respond(out.status(), out.headers(), out.contentLength());
        a.relay(this);
    }

    /** Whether to try again (policy and budget); if so the next attempt is scheduled after the backoff. */
    private boolean retry(RetryPolicy.AttemptFailure failure, int attempt, UpstreamAttempt failed) {
        if (!guard.retryPolicy().retries(failure, attempt) || !guard.tryRetry()) {
            return false;
        }
        long wait = guard.retryPolicy().backoffMillis(attempt, ThreadLocalRandom.current());
        LOG.debug("request={} route={} upstream={} failed ({}); retry {} in {} ms", head.requestId(),
                head.route().name(), failed.instance(), failure, attempt, wait);
        if (wait <= 0) {
            proxy.scheduler().execute(() -> send(attempt + 1));
        } else {
            proxy.scheduler().schedule(() -> send(attempt + 1), wait, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    @Override
    public boolean ready() {
        return client.isReady();
    }

    @Override
    public void chunk(byte[] chunk) {
        ResponseCapture c = capture;
        if (c != null) {
            c.write(chunk, 0, chunk.length);
        }
        client.write(chunk);
    }

    @Override
    public void ended(UpstreamAttempt a) {
        a.release(InstanceOutcome.SUCCESS);
        client.end();
        ResponseCapture c = capture;
        if (c != null) {
            rules.stale().keep(head, response, c);
        }
        finish();
    }

    /**
     * The upstream failed while its body streamed: a reset, a truncated body or a read timeout counts against its
     * health like a failure before the head.
     */
    @Override
    public void failed(UpstreamAttempt a, Throwable cause) {
        a.release(InstanceOutcomes.of(cause));
        fail(a.instance(), cause);
    }

    @Override
    public void writable() {
        UpstreamAttempt a = current;
        if (a != null) {
            a.pump();
        }
    }

    /** The client went away: the upstream exchange is stopped, and the instance is not blamed. */
    @Override
    public void clientFailed(Throwable cause) {
        if (finished.get()) {
            return;
        }
        LOG.debug("request={} route={} client went away: {}", head.requestId(), head.route().name(), cause.toString());
        UpstreamAttempt a = current;
        if (a != null) {
            a.release(InstanceOutcome.SUCCESS);
            a.abort(cause);
        }
        client.abort(cause);
        finish();
    }

    /** The client's body failed (too large, or its read failed): the attempt on the wire is stopped. */
    private void bodyFailed(Throwable cause) {
        UpstreamAttempt a = current;
        if (a != null) {
            a.release(InstanceOutcome.NOT_COUNTED);
            a.abort(cause); // its stage fails with the cause, which is answered in failed()
        } else {
            fail(null, cause);
        }
    }

    /**
     * The route's total timeout passed: the attempt on the wire is stopped (its instance takes a timeout), and the
     * request is answered 504, or cut off if its response had started. No retry follows.
     */
    private void expire() {
        if (finished.get()) {
            return;
        }
        expired = true;
        InterruptedIOException cause = new InterruptedIOException("the route's total timeout of "
                + head.route().config().limits().totalTimeout().toMillis() + " ms passed");
        UpstreamAttempt a = current;
        if (a != null) {
            a.abort(cause);
        }
        fail(a == null ? null : a.instance(), cause); // the attempt may be over already (a retry's backoff)
    }

    /** The one place where a failure of the exchange becomes an answer, or an aborted connection. */
    private void fail(Instance instance, Throwable e) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        FailureAnswer f = FailureMapper.map(e);
        if (responded || client.isCommitted()) {
            LOG.warn("request={} route={} upstream={} failed after the response started; aborting the client "
                    + "connection: {}", head.requestId(), head.route().name(), instance, e.toString());
            client.abort(e);
        } else {
            if (f.clientFault()) {
                LOG.debug("request={} route={} request body failed: {}", head.requestId(), head.route().name(),
                        e.toString());
            } else {
                LOG.warn("request={} route={} upstream={} answered {}: {}", head.requestId(), head.route().name(),
                        instance, f.status(), e.toString());
            }
            // a request body left unread would be taken for the next request on this connection (RFC 9112 §9.6)
            client.problem(f.status(), f.title(), f.detail(), f.closeConnection() || client.bodyUnread());
        }
        closeOut();
    }

    private void finish() {
        if (finished.compareAndSet(false, true)) {
            closeOut();
        }
    }

    /** Once per exchange: the bulkhead permit and the total-timeout timer are given back. */
    private void closeOut() {
        guard.exit();
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
    }
}
