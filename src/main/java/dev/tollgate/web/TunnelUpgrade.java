package dev.tollgate.web;

import dev.tollgate.GatewayRuntime;
import dev.tollgate.http.HeaderNames;
import dev.tollgate.proxy.RequestHead;
import dev.tollgate.proxy.Tunnel;
import dev.tollgate.proxy.WebSockets;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.hc.core5.http.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of a WebSocket tunnel, over the servlet protocol-upgrade API: {@link #serve} answers a valid
 * opening handshake with the upstream's {@code 101} (or its refusal, or a problem), and the container then hands
 * the connection to {@link #init}, which joins its non-blocking streams to the upstream {@link Tunnel}. The
 * container creates the instance; not shared between connections.
 */
public final class TunnelUpgrade implements HttpUpgradeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelUpgrade.class);

    private static volatile boolean warned;

    private volatile Tunnel tunnel;

    /** Runs the upstream handshake and answers the client accordingly; returns on the request thread. */
    static void serve(HttpServletRequest req, HttpServletResponse res, RequestHead head, WebSockets ws,
                      GatewayRuntime runtime) throws IOException {
        WebSockets.Handshake answer = ws.handshake(head, runtime.proxyRules());
        if (answer instanceof WebSockets.Failed f) {
            String[] retry = f.retryAfter() == null ? new String[0] : new String[] {HeaderNames.RETRY_AFTER,
                    f.retryAfter()};
            Problems.send(req, res, f.failure().status(), f.failure().title(), f.failure().detail(), true, retry);
            return;
        }
        if (answer instanceof WebSockets.Refused r) {
            res.setStatus(r.head().status());
            headers(res, r.head().headers());
            res.setContentLength(r.body().length);
            res.getOutputStream().write(r.body());
            return;
        }
        WebSockets.Upgraded up = (WebSockets.Upgraded) answer;
        RequestAttributes.setUpstream(req, up.tunnel().toString());
        res.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        headers(res, up.head().headers());
        res.setHeader("Upgrade", "websocket");
        res.setHeader("Connection", "Upgrade");
        try {
            req.upgrade(TunnelUpgrade.class).tunnel = up.tunnel();
            // the request is over once the protocols switch, whether or not the container reports it as async
            // afterwards (Jetty 12.1 does): its access-log line, metrics and drain count do not wait for the tunnel
            RequestAttributes.finish(req);
        } catch (IOException | ServletException | RuntimeException e) {
            up.tunnel().abandon();
            if (!warned) {
                warned = true; // a container without the upgrade API says so on every request: log it once
                LOG.error("request={} route={} this servlet container does not switch protocols "
                        + "(HttpServletRequest.upgrade failed: {}); WebSocket routes answer 501 here", head.requestId(),
                        head.route().name(), e.toString());
            }
            Problems.send(req, res, 501, "Not Implemented",
                    "This gateway's servlet container cannot switch protocols; WebSocket is not available.", true);
        }
    }

    private static void headers(HttpServletResponse res, Iterable<Header> headers) {
        Set<String> seen = new HashSet<>();
        for (Header h : headers) {
            if (seen.add(h.getName().toLowerCase(Locale.ROOT))) {
                res.setHeader(h.getName(), h.getValue());
            } else {
                res.addHeader(h.getName(), h.getValue());
            }
        }
    }

    @Override
    public void init(WebConnection connection) {
        Tunnel t = tunnel;
        try {
            ServletInputStream in = connection.getInputStream();
            ServletOutputStream out = connection.getOutputStream();
            t.attach(new Side(connection, in, out));
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() {
                    t.clientReadable();
                }

                @Override
                public void onAllDataRead() {
                    // the stream is read again rather than taken as ended: Jetty 12.1 passes on the end of the
                    // upgrade request's own (empty) body here, while the upgraded stream has not finished; a real
                    // end is seen as read() returning -1
                    t.clientReadable();
                }

                @Override
                public void onError(Throwable failure) {
                    t.clientEnded(failure);
                }
            });
            out.setWriteListener(new WriteListener() {
                @Override
                public void onWritePossible() {
                    t.clientWritable();
                }

                @Override
                public void onError(Throwable failure) {
                    t.clientEnded(failure);
                }
            });
            t.start();
        } catch (IOException | RuntimeException e) {
            t.clientEnded(e);
        }
    }

    @Override
    public void destroy() {
        Tunnel t = tunnel;
        if (t != null) {
            t.clientEnded(null);
        }
    }

    /** The upgraded client connection as the tunnel sees it. */
    private record Side(WebConnection connection, ServletInputStream in, ServletOutputStream out)
            implements Tunnel.Client {
        @Override
        public boolean isWritable() {
            return out.isReady();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            // an exact array: Undertow's upgraded stream writes the whole array in non-blocking mode, whatever
            // offset and length it is given
            out.write(off == 0 && len == b.length ? b : Arrays.copyOfRange(b, off, off + len));
            if (out.isReady()) {
                out.flush(); // a container may hold small writes back otherwise; a frame must go out as it comes
            }
        }

        @Override
        public boolean isReadable() {
            // a stream that reached its end while read from another thread than the container's may never call
            // onAllDataRead (Undertow): the end is read here
            return in.isFinished() || in.isReady();
        }

        @Override
        public int read(byte[] b) throws IOException {
            return in.isFinished() ? -1 : in.read(b);
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (Exception ignored) {
                // the connection is gone either way
            }
        }
    }
}
