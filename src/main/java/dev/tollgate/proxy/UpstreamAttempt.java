package dev.tollgate.proxy;

import dev.tollgate.config.RouteConfig;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.InstanceOutcome;
import dev.tollgate.discovery.Lease;
import dev.tollgate.http.HeaderNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One attempt at one instance, as HttpCore drives it on an I/O reactor thread: it sends the request head and body,
 * completes {@link #start} with the response head, then relays the body to a {@link Relay} as the client takes
 * it. Flow control: HttpCore reads from the upstream connection only while the attempt has capacity left, and the
 * attempt gives capacity back only for bytes the client side has accepted, so at most one window (64 KiB) waits
 * in memory. The instance's lease is released once, with the outcome for passive health. Thread-safe.
 */
final class UpstreamAttempt implements AsyncClientExchangeHandler {
    /** Where the response body goes, and what it hears of the end. */
    interface Relay {
        /** Whether the client side can take another chunk now. */
        boolean ready();

        void chunk(byte[] chunk);

        /** The whole body was handed on. */
        void ended(UpstreamAttempt attempt);

        /** The upstream failed after the head. */
        void failed(UpstreamAttempt attempt, Throwable cause);
    }

    private final Lease lease;
    private final HttpRequest request;
    private final RequestBody.Producer body;
    private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private volatile Cancellable running;
    private CapacityChannel capacity;
    private Throwable failure;
    private int owed;
    private Relay relay;
    private boolean ended;
    private boolean finished;

    UpstreamAttempt(Lease lease, HttpRequest request, RequestBody.Producer body) {
        this.lease = lease;
        this.request = request;
        this.body = body;
    }

    Instance instance() {
        return lease.instance();
    }

    /** Sends the request; the stage completes with the response head, or with what failed before it. */
    CompletionStage<HttpResponse> start(UpstreamClient client, RouteConfig route) {
        running = client.execute(route, lease.instance(), this);
        return head;
    }

    /** Stops the attempt: its connection is closed, never reused, and nothing more is relayed. */
    void abort(Throwable cause) {
        fail(cause); // first, so that the stage fails with this cause and not with the cancellation's
        Cancellable r = running;
        if (r != null) {
            r.cancel();
        }
    }

    /** Whether passive health has this attempt's instance ejected now. */
    boolean instanceEjected() {
        return lease.instanceEjected();
    }

    /** Releases the instance's lease with the attempt's outcome; only the first call counts. */
    void release(InstanceOutcome outcome) {
        if (released.compareAndSet(false, true)) {
            lease.release(outcome);
        }
    }

    /** Starts relaying the body (the head was delivered). */
    void relay(Relay to) {
        Throwable early;
        synchronized (this) {
            relay = to;
            early = failure;
            failure = null;
        }
        if (early != null) {
            to.failed(this, early);
            return;
        }
        pump();
    }

    /** Relays what the client side can take now; called again when it can take more. */
    void pump() {
        int given = 0;
        boolean done = false;
        Relay to;
        CapacityChannel cc;
        synchronized (this) {
            to = relay;
            if (to == null || finished) {
                return;
            }
            while (!chunks.isEmpty() && to.ready()) {
                byte[] c = chunks.poll();
                to.chunk(c);
                given += c.length;
            }
            if (ended && chunks.isEmpty() && to.ready()) {
                finished = true;
                done = true;
            }
            cc = capacity;
            if (cc == null) {
                owed += given;
                given = 0;
            }
        }
        if (given > 0) {
            try {
                cc.update(given);
            } catch (IOException e) {
                fail(e);
                return;
            }
        }
        if (done) {
            to.ended(this);
        }
    }

    private void fail(Throwable cause) {
        Relay to;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            to = relay;
            chunks.clear();
            if (to == null) {
                failure = cause; // after the head but before the relay: handed over by relay()
            }
        }
        if (!head.completeExceptionally(cause) && to != null) {
            to.failed(this, cause);
        }
    }

    @Override
    public void produceRequest(RequestChannel channel,
            HttpContext context) throws org.apache.hc.core5.http.HttpException,
            IOException {
        channel.sendRequest(request, body == null ? null : body.details(), context);
    }

    @Override
    public int available() {
        return body == null ? 0 : body.available();
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
        if (body != null) {
            body.produce(channel);
        }
    }

    @Override
    public void consumeInformation(HttpResponse response, HttpContext context) {
        // 1xx answers are the connection's business (the gateway never sends Expect upstream)
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context)
            throws ProtocolException {
        // RFC 9112 §6.1 and §6.3: both framings at once may be a response-splitting attempt; never relay it
        if (response.containsHeader(HeaderNames.TRANSFER_ENCODING)
                && response.containsHeader(HeaderNames.CONTENT_LENGTH)) {
            throw new ProtocolException("upstream response has both Transfer-Encoding and Content-Length");
        }
        if (entity == null) {
            synchronized (this) {
                ended = true;
            }
        }
        head.complete(response);
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
        int give;
        synchronized (this) {
            capacity = channel;
            give = owed;
            owed = 0;
        }
        if (give > 0) {
            channel.update(give);
        }
    }

    @Override
    public void consume(ByteBuffer src) {
        byte[] copy = new byte[src.remaining()];
        src.get(copy);
        synchronized (this) {
            if (finished) {
                return;
            }
            chunks.add(copy);
        }
        pump();
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
        synchronized (this) {
            ended = true;
        }
        pump();
    }

    @Override
    public void failed(Exception cause) {
        fail(cause);
    }

    @Override
    public void cancel() {
        fail(new java.util.concurrent.CancellationException("upstream exchange cancelled"));
    }

    @Override
    public void releaseResources() {
        if (body != null) {
            body.release();
        }
    }
}
