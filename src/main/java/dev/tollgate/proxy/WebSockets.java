package dev.tollgate.proxy;

import dev.tollgate.discovery.Discovery;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.InstanceOutcome;
import dev.tollgate.discovery.Lease;
import dev.tollgate.resilience.BreakerOpenException;
import dev.tollgate.resilience.InstancePicker;
import dev.tollgate.resilience.UpstreamGuard;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hc.core5.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream half of a WebSocket upgrade: an instance lease, the service's bulkhead and breaker, a connection
 * of the gateway's own (HttpClient 5 does not do upgrades), the upgrade request, and the check of the
 * upstream's {@code 101}. {@link #handshake} blocks the calling thread for at most the route's connect timeout
 * plus its response timeout: the servlet protocol-upgrade API lets only the request thread that holds the
 * request switch the protocol. The tunnel that follows is non-blocking ({@link Tunnels}). Thread-safe.
 */
public final class WebSockets {
    private static final Logger LOG = LoggerFactory.getLogger(WebSockets.class);

    private final Tunnels tunnels;

    WebSockets(Tunnels tunnels) {
        this.tunnels = tunnels;
    }

    /** The open tunnels. */
    public Tunnels tunnels() {
        return tunnels;
    }

    /** What the upstream made of the upgrade: see the three kinds of answer. */
    public sealed interface Handshake permits Upgraded, Refused, Failed {
    }

    /**
     * The upstream switched protocols: answer the client {@code 101} with these headers, then join.
     *
     * @param head the status and header fields for the client
     * @param tunnel the upstream side, ready to be joined to the client
     */
    public record Upgraded(HeaderPolicy.ResponseHead head, Tunnel tunnel) implements Handshake {
    }

    /**
     * The upstream answered with something other than {@code 101}: passed to the client as it is.
     *
     * @param head its status and filtered header fields
     * @param body its body
     */
    public record Refused(HeaderPolicy.ResponseHead head, byte[] body) implements Handshake {
    }

    /**
     * No usable answer: the gateway answers with a problem.
     *
     * @param failure the status and text
     * @param retryAfter seconds for {@code Retry-After}, or null
     */
    public record Failed(FailureAnswer failure, String retryAfter) implements Handshake {
    }

    /**
     * Runs the upstream handshake for a valid client upgrade ({@link WebSocketUpgrade#classify}) with the rules of
     * the configuration the request started on.
     */
    public Handshake handshake(RequestHead head, ProxyRules rules) {
        Discovery discovery = rules.services();
        HeaderPolicy headers = rules.headers();
        UpstreamGuard guard = rules.guards().guard(head.service());
        if (!guard.tryEnter()) {
            return new Failed(new FailureAnswer(503, "Service Unavailable",
                    "The upstream service has too many requests in flight.", false, false), "1");
        }
        try {
            guard.recordRequest();
            Lease lease = InstancePicker.pick(discovery, head.service(),
                    head.route().config().target().loadBalancer(), Set.of());
            if (lease == null) {
                return new Failed(new FailureAnswer(503, "Service Unavailable",
                        "The upstream service has no available instance.", false, false), "1");
            }
            Set<Integer> failing = guard.failureStatuses();
            CompletableFuture<Handshake> done = guard.<Handshake>attempt(() -> attempt(head, lease, headers),
                    h -> h instanceof Refused r && failing.contains(r.head().status())).toCompletableFuture();
            try {
                return done.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof BreakerOpenException) {
                    lease.release(InstanceOutcome.NOT_COUNTED);
                    return new Failed(new FailureAnswer(503, "Service Unavailable",
                            "The upstream service is failing; try again later.", false, false), "1");
                }
                lease.release(InstanceOutcomes.of(cause));
                FailureAnswer f = FailureMapper.map(cause);
                LOG.warn("request={} route={} upstream={} websocket upgrade answered {}: {}", head.requestId(),
                        head.route().name(), lease.instance(), f.status(), cause.toString());
                return new Failed(f, null);
            }
        } finally {
            guard.exit();
        }
    }

    /** One attempt on one instance; its stage fails with the I/O error that stopped it. */
    private CompletableFuture<Handshake> attempt(RequestHead head, Lease lease, HeaderPolicy headers) {
        Instance instance = lease.instance();
        SocketChannel channel = null;
        try {
            if (!"http".equals(instance.scheme())) {
                throw new ConnectException("only http:// instances take WebSocket tunnels");
            }
            channel = SocketChannel.open();
            int connectMillis = (int) Math.min(Integer.MAX_VALUE,
                    head.route().config().limits().connectTimeout().toMillis());
            try {
                channel.socket().connect(new InetSocketAddress(instance.host(), instance.port()), connectMillis);
            } catch (SocketTimeoutException e) {
                throw (ConnectException) new ConnectException("connect timed out").initCause(e);
            }
            channel.socket().setTcpNoDelay(true);
            HttpRequest up = headers.request(head, instance);
            String key = head.header("Sec-WebSocket-Key").trim();
            ByteBuffer out = ByteBuffer.wrap(WebSocketUpgrade.requestBytes(up));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            int readMillis = (int) Math.min(Integer.MAX_VALUE,
                    head.route().config().limits().responseTimeout().toMillis());
            channel.socket().setSoTimeout(readMillis);
            UpstreamHead answer = UpstreamHead.read(channel.socket().getInputStream());
            String wrong = WebSocketUpgrade.checkAccepted(answer.response(), key);
            if (wrong == null) {
                HeaderPolicy.ResponseHead out101 = headers.response(answer.response(), head);
                Tunnel tunnel = new Tunnel(tunnels, channel, answer.rest(), lease, head);
                return CompletableFuture.completedFuture(new Upgraded(out101, tunnel));
            }
            if (answer.response().getCode() == 101) {
                throw new IOException("the upstream sent " + wrong);
            }
            byte[] body = answer.body(channel.socket().getInputStream());
            channel.close();
            lease.release(InstanceOutcome.SUCCESS);
            return CompletableFuture.completedFuture(new Refused(headers.response(answer.response(), head), body));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
