package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.Lease;
import dev.tollgate.discovery.Outcome;
import dev.tollgate.proxy.ClientBody;
import dev.tollgate.proxy.Failure;
import dev.tollgate.proxy.FailureMapper;
import dev.tollgate.proxy.Outcomes;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step: picks an instance, sends the request over the pooled HttpClient and streams the response
 * back. Blocking I/O on the request thread: both bodies stream through one 16 KiB buffer, never whole.
 * A failure before the response starts becomes a problem answer; after it started, the client connection is
 * aborted so a truncated body never looks complete.
 */
public final class ProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServlet.class);
    private static final int BUFFER = 16 * 1024;

    private transient Gateway gateway;
    private transient UpstreamExchange exchange;

    @Override
    public void init() {
        gateway = GatewayListener.gateway(getServletContext());
        exchange = new UpstreamExchange(gateway.forwarding());
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getDispatcherType() == DispatcherType.ERROR) {
            ContainerErrors.answer(req, res);
            return;
        }
        RequestContext ctx = RequestAttributes.context(req);
        Lease lease = gateway.discovery().choose(ctx.route().service(), ctx.route().config().loadBalancer(), Set.of());
        if (lease == null) {
            Problems.send(req, res, 503, "Service Unavailable", "The upstream service has no available instance.",
                    false, Headers.RETRY_AFTER, "1");
            return;
        }
        Outcome outcome = Outcome.NOT_COUNTED;
        try {
            outcome = forward(req, res, ctx, lease.instance());
        } finally {
            lease.release(outcome); // passive health and least-request counting
        }
    }

    /** Sends the request to the instance and streams the answer back; returns what it says about the instance. */
    private Outcome forward(HttpServletRequest req, HttpServletResponse res, RequestContext ctx, Instance instance)
            throws IOException {
        RequestAttributes.setUpstream(req, instance.toString());
        ClientBody body = null;
        HttpUriRequestBase upstream = exchange.request(req, ctx, instance);
        if (UpstreamExchange.hasBody(req)) {
            body = new ClientBody(req.getInputStream(), ctx.route().config().maxBodySize());
            upstream.setEntity(UpstreamExchange.entity(req, body));
        }
        ClassicHttpResponse response;
        try {
            response = gateway.client().execute(ctx.route().name(), instance, upstream);
        } catch (IOException e) {
            upstream.abort();
            fail(req, res, ctx, instance, e);
            return Outcomes.of(e);
        }
        try {
            exchange.copyHead(response, res, ctx);
            HttpEntity entity = response.getEntity();
            if (entity != null) {
                stream(entity.getContent(), res, upstream);
            }
            response.close();
        } catch (IOException | RuntimeException e) {
            upstream.abort();
            fail(req, res, ctx, instance, e);
        }
        return Outcome.SUCCESS;
    }

    private static void stream(InputStream in, HttpServletResponse res, HttpUriRequestBase upstream)
            throws IOException {
        OutputStream out = res.getOutputStream();
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) >= 0) {
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
        Problems.send(req, res, f.status(), f.title(), f.detail(), f.closeConnection());
    }

    /** Writing to the client failed: nothing can be answered, the upstream exchange is aborted. */
    private static final class ClientGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        ClientGoneException(IOException cause) {
            super("client connection failed", cause);
        }
    }
}
