package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.Lease;
import dev.tollgate.discovery.Outcome;
import dev.tollgate.proxy.Failure;
import dev.tollgate.proxy.FailureMapper;
import dev.tollgate.proxy.Outcomes;
import dev.tollgate.resilience.BreakerOpenException;
import dev.tollgate.resilience.BulkheadFullException;
import dev.tollgate.resilience.InstancePicker;
import dev.tollgate.resilience.ResponseCapture;
import dev.tollgate.resilience.RetryPolicy;
import dev.tollgate.resilience.ServiceGuard;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step: inside the service's bulkhead and through its circuit breaker, picks an instance, sends the
 * request over the pooled HttpClient (again on another instance when a retryable attempt failed) and streams the
 * response back, keeping a copy for the stale-if-error cache where the route allows it; a service whose guard is
 * off ({@code resilience.enabled = false}) gets one plain attempt instead. Each attempt leases its
 * instance from discovery and reports the outcome (passive health, least-request balancing). Blocking I/O on
 * the request thread: both bodies stream through one 16 KiB buffer, never whole.
 * A failure before the response starts becomes a problem answer; after it started, the client connection is
 * aborted so a truncated body never looks complete.
 */
public final class ProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServlet.class);
    private static final int BUFFER = 16 * 1024;

    private transient Gateway gateway;
    private transient UpstreamExchange exchange;
    private transient StaleAnswers stale;

    @Override
    public void init() {
        gateway = GatewayListener.gateway(getServletContext());
        exchange = new UpstreamExchange(gateway.forwarding());
        stale = new StaleAnswers(gateway.staleCache(), exchange, gateway.config().forwarding().via());
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getDispatcherType() == DispatcherType.ERROR) {
            ContainerErrors.answer(req, res);
            return;
        }
        RequestContext ctx = RequestAttributes.context(req);
        ServiceGuard guard = gateway.breakers().guard(ctx.route().service());
        if (guard == null) { // the service's guard is off (resilience.enabled = false)
            forwardOnce(req, res, ctx);
            return;
        }
        try {
            guard.isolate(() -> forward(req, res, ctx, guard));
        } catch (BulkheadFullException e) {
            RequestAttributes.setBreaker(req, "bulkhead-full");
            Problems.send(req, res, 503, "Service Unavailable",
                    "The upstream service has too many requests in flight.", false, Headers.RETRY_AFTER, "1");
        }
    }

    /**
     * Sends the request through the service's breaker, again on another instance when a retryable attempt
     * failed before anything reached the client, and streams the response back.
     */
    private void forward(HttpServletRequest req, HttpServletResponse res, RequestContext ctx, ServiceGuard guard)
            throws IOException {
        guard.recordRequest();
        RetryPolicy policy = guard.retryPolicy();
        RequestBody body;
        try {
            body = RequestBody.of(req, policy, ctx.route().config().maxBodySize());
        } catch (IOException e) {
            fail(req, res, ctx, null, e);
            return;
        }
        boolean retryable = policy.allows(req.getMethod(), body.isRepeatable());
        Set<Instance> tried = new HashSet<>();
        for (int attempt = 1; ; attempt++) {
            Lease lease = InstancePicker.pick(gateway.discovery(), ctx.route().service(),
                    ctx.route().config().loadBalancer(), tried);
            if (lease == null) {
                noInstance(req, res);
                return;
            }
            Outcome outcome = Outcome.NOT_COUNTED;
            try {
                Instance instance = lease.instance();
                tried.add(instance);
                RequestAttributes.setUpstream(req, instance.toString());
                HttpUriRequestBase upstream = exchange.request(req, ctx, instance);
                body.attach(upstream);
                ClassicHttpResponse response;
                try {
                    response = guard.attempt(() -> gateway.client().execute(ctx.route().name(), instance, upstream),
                            r -> guard.config().breaker().failureStatuses().contains(r.getCode()),
                            ClassicHttpResponse.class);
                } catch (BreakerOpenException e) {
                    stale.answerOpen(req, res, ctx, e);
                    return;
                } catch (RuntimeException e) {
                    upstream.abort();
                    throw e;
                } catch (Exception e) {
                    upstream.abort();
                    outcome = Outcomes.of(e);
                    if (retryable && !FailureMapper.map(e).clientFault()
                            && retry(guard, RetryPolicy.classify(e), attempt, ctx, instance)) {
                        continue;
                    }
                    fail(req, res, ctx, instance, e);
                    return;
                }
                // the instance answered: an error status is the application's, not the instance's health
                outcome = Outcome.SUCCESS;
                if (retryable && guard.config().breaker().failureStatuses().contains(response.getCode())
                        && retry(guard, RetryPolicy.Failure.STATUS, attempt, ctx, instance)) {
                    upstream.abort();
                    response.close();
                    continue;
                }
                Exception failed = deliver(req, res, ctx, upstream, response);
                if (failed != null) {
                    outcome = midResponse(failed);
                    fail(req, res, ctx, instance, failed);
                }
                return;
            } finally {
                lease.release(outcome);
            }
        }
    }

    /**
     * A service with its guard off: one attempt on one instance, straight through, with no bulkhead, breaker,
     * retry or stale-if-error copy (the configuration refuses {@code stale-if-error} on its routes). The lease
     * still reports the outcome (passive health, least-request balancing).
     */
    private void forwardOnce(HttpServletRequest req, HttpServletResponse res, RequestContext ctx) throws IOException {
        RequestBody body;
        try {
            body = RequestBody.of(req, null, ctx.route().config().maxBodySize());
        } catch (IOException e) {
            fail(req, res, ctx, null, e);
            return;
        }
        Lease lease = InstancePicker.pick(gateway.discovery(), ctx.route().service(),
                ctx.route().config().loadBalancer(), Set.of());
        if (lease == null) {
            noInstance(req, res);
            return;
        }
        Instance instance = lease.instance();
        Outcome outcome = Outcome.NOT_COUNTED;
        try {
            RequestAttributes.setUpstream(req, instance.toString());
            HttpUriRequestBase upstream = exchange.request(req, ctx, instance);
            body.attach(upstream);
            ClassicHttpResponse response;
            try {
                response = gateway.client().execute(ctx.route().name(), instance, upstream);
            } catch (RuntimeException e) {
                upstream.abort();
                throw e;
            } catch (IOException e) {
                upstream.abort();
                outcome = Outcomes.of(e);
                fail(req, res, ctx, instance, e);
                return;
            }
            outcome = Outcome.SUCCESS; // an error status is the application's, not the instance's health
            Exception failed = deliver(req, res, ctx, upstream, response);
            if (failed != null) {
                outcome = midResponse(failed);
                fail(req, res, ctx, instance, failed);
            }
        } finally {
            lease.release(outcome);
        }
    }

    private static void noInstance(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Problems.send(req, res, 503, "Service Unavailable",
                "The upstream service has no available instance.", false, Headers.RETRY_AFTER, "1");
    }

    /** Whether to try again (policy and budget), after the jittered backoff. */
    private static boolean retry(ServiceGuard guard, RetryPolicy.Failure failure, int attempt, RequestContext ctx,
                                 Instance failed) throws IOException {
        if (!guard.retryPolicy().retries(failure, attempt) || !guard.tryRetry()) {
            return false;
        }
        long wait = guard.retryPolicy().backoffMillis(attempt, ThreadLocalRandom.current());
        LOG.debug("request={} route={} upstream={} failed ({}); retry {} in {} ms", ctx.requestId(),
                ctx.route().name(), failed, failure, attempt, wait);
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during retry backoff");
        }
        return true;
    }

    /**
     * Sends the response on; returns null when it is through, or what failed (the upstream connection is then
     * aborted, and the caller reports the outcome before it answers or aborts the client connection).
     */
    private Exception deliver(HttpServletRequest req, HttpServletResponse res, RequestContext ctx,
                              HttpUriRequestBase upstream, ClassicHttpResponse response) {
        try {
            exchange.copyHead(response, res, ctx);
            ResponseCapture capture = stale.capture(req, ctx, response);
            HttpEntity entity = response.getEntity();
            if (entity != null) {
                stream(entity.getContent(), res, capture);
            }
            response.close();
            if (capture != null) {
                stale.keep(req, ctx, response, capture);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            upstream.abort();
            return e;
        }
    }

    /**
     * The instance's outcome when sending its response on failed: a reset, a truncated body or a read timeout
     * counts against its health like a failure before the head; the client going away does not.
     */
    private static Outcome midResponse(Exception e) {
        return e instanceof ClientGoneException ? Outcome.SUCCESS : Outcomes.of(e);
    }

    private static void stream(InputStream in, HttpServletResponse res, ResponseCapture capture) throws IOException {
        OutputStream out = res.getOutputStream();
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (capture != null) {
                capture.write(buf, 0, n);
            }
            try {
                out.write(buf, 0, n);
                if (in.available() == 0) {
                    out.flush();
                }
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
        }
    }

    private void fail(HttpServletRequest req, HttpServletResponse res, RequestContext ctx, Instance instance,
                      Exception e) throws IOException {
        if (e instanceof ClientGoneException) {
            LOG.debug("request={} route={} client went away while the response was streamed", ctx.requestId(),
                    ctx.route().name());
            throw (ClientGoneException) e;
        }
        Failure f = FailureMapper.map(e);
        if (res.isCommitted()) {
            LOG.warn("request={} route={} upstream={} failed after the response started; aborting the client "
                    + "connection: {}", ctx.requestId(), ctx.route().name(), instance, e.toString());
            throw new IOException("upstream failed mid-response", e);
        }
        if (f.clientFault()) {
            LOG.debug("request={} route={} request body failed: {}", ctx.requestId(), ctx.route().name(), e.toString());
        } else if (f.status() != 413) {
            LOG.warn("request={} route={} upstream={} answered {}: {}", ctx.requestId(), ctx.route().name(),
                    instance, f.status(), e.toString());
        }
        // a request body left unread (the upstream was never reached) would be taken for the next request on this
        // connection, or make the container close it under a client that is about to reuse it: say so (RFC 9112 §9.6)
        boolean unread = UpstreamExchange.hasBody(req) && !req.getInputStream().isFinished();
        Problems.send(req, res, f.status(), f.title(), f.detail(), f.closeConnection() || unread);
    }

    /** Writing to the client failed: nothing can be answered, the upstream exchange is aborted. */
    private static final class ClientGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        ClientGoneException(IOException cause) {
            super("client connection failed", cause);
        }
    }
}
