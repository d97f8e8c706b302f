package dev.tollgate.proxy;

import dev.tollgate.discovery.InstanceOutcome;
import dev.tollgate.discovery.Lease;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded connection pair, joined byte for byte: the upstream socket (non-blocking, driven by the
 * {@link Tunnels} selector thread) and the client connection ({@link Client}, driven by the container's
 * non-blocking I/O callbacks). Each direction has one 64 KiB buffer and flow control: the upstream is read only
 * while the client takes writes, and the client is read only while the upstream takes them. The end of either
 * side, an I/O error, the idle timeout or the maximum lifetime closes both. Thread-safe: each direction runs on
 * one thread at a time, handed over only through the readiness protocol of the servlet streams.
 */
public final class Tunnel {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);
    private static final int BUFFER = 64 * 1024;

    /**
     * The client connection as the tunnel sees it, over the servlet container's non-blocking streams. Calls
     * {@link #clientReadable()}, {@link #clientWritable()} and {@link #clientEnded(Throwable)} from its
     * callbacks.
     */
    public interface Client {
        /** Whether a write may be made now; when not, {@link #clientWritable()} follows once one may. */
        boolean isWritable();

        void write(byte[] b, int off, int len) throws IOException;

        /** Whether a read may be made now; when not, {@link #clientReadable()} follows once one may. */
        boolean isReadable();

        /** Bytes read, or -1 at the end of the client's stream. */
        int read(byte[] b) throws IOException;

        void close();
    }

    private final Tunnels tunnels;
    private final SocketChannel channel;
    private final Lease lease;
    private final RequestHead head;
    private final byte[] fromUpstream = new byte[BUFFER];
    private final byte[] fromClient = new byte[BUFFER];
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger clientReads = new AtomicInteger();
    private byte[] early;
    private Client client;
    private SelectionKey key;
    private int ops;
    private boolean waitingForClient;
    private volatile ByteBuffer pendingUpstream;
    private volatile boolean closeWhenFlushed;
    private volatile long lastActivity;
    volatile Future<?> idleCheck;
    volatile Future<?> lifetimeEnd;

    Tunnel(Tunnels tunnels, SocketChannel channel, byte[] early, Lease lease, RequestHead head) {
        this.tunnels = tunnels;
        this.channel = channel;
        this.early = early.length == 0 ? null : early;
        this.lease = lease;
        this.head = head;
    }

    /**
     * Step one of joining: the client side is known; its callbacks may start. Nothing is read from the upstream
     * before {@link #start()}.
     */
    public void attach(Client c) throws IOException {
        channel.configureBlocking(false);
        this.client = c;
        tunnels.register(this);
    }

    /** Step two: the client's listeners are set; the upstream is read from now on. */
    public void start() {
        interest(SelectionKey.OP_READ, 0);
        if (early != null) {
            // bytes that came with the upstream's 101: no readiness event will announce them
            tunnels.execute(this::upstreamReadable);
        }
    }

    /** Closes an upstream connection that was never joined (the client side failed before the switch). */
    public void abandon() {
        client = null;
        close("the client upgrade failed");
    }

    RequestHead head() {
        return head;
    }

    SocketChannel channel() {
        return channel;
    }

    long lastActivity() {
        return lastActivity;
    }

    void touch() {
        lastActivity = tunnels.nanoTime();
    }

    /** Called by the selector thread when it registers the channel. */
    synchronized void registered(SelectionKey k) {
        key = k;
        k.interestOps(ops);
    }

    private synchronized void interest(int add, int remove) {
        int next = (ops | add) & ~remove;
        if (next == ops) {
            return;
        }
        ops = next;
        if (key != null) {
            try {
                key.interestOps(ops);
                tunnels.wakeup();
            } catch (java.nio.channels.CancelledKeyException closing) {
                // the tunnel is closing: nothing more to wait for
            }
        }
    }

    /** Selector thread: the upstream has bytes (or its end) for the client. */
    void upstreamReadable() {
        if (closed.get()) {
            return;
        }
        try {
            if (early != null) {
                if (!clientTakesWrites()) {
                    return;
                }
                client.write(early, 0, early.length);
                early = null;
            }
            while (clientTakesWrites()) {
                int n = channel.read(ByteBuffer.wrap(fromUpstream));
                if (n < 0) {
                    upstreamEnded();
                    return;
                }
                if (n == 0) {
                    return;
                }
                touch();
                client.write(fromUpstream, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            close("upstream to client: " + e);
        }
    }

    /** Whether the client takes a write now; if not, upstream reads pause until {@link #clientWritable()}. */
    private boolean clientTakesWrites() {
        if (client.isWritable()) {
            return true;
        }
        synchronized (this) {
            waitingForClient = true;
        }
        interest(0, SelectionKey.OP_READ);
        // asked again: a callback that came before the flag was set found nothing to resume
        if (!client.isWritable()) {
            return false; // clientWritable() follows
        }
        synchronized (this) {
            waitingForClient = false;
        }
        interest(SelectionKey.OP_READ, 0);
        return true;
    }

    private void upstreamEnded() {
        closeWhenFlushed = true;
        if (client.isWritable()) {
            close(null);
        }
    }

    /** Container callback: the client takes writes again. */
    public void clientWritable() {
        if (closeWhenFlushed) {
            close(null);
            return;
        }
        boolean resume;
        synchronized (this) {
            resume = waitingForClient;
            waitingForClient = false;
        }
        if (resume) {
            interest(SelectionKey.OP_READ, 0);
            // bytes already taken from the socket (those that came with the 101) raise no readiness event, and
            // the socket may have nothing new: the selector thread looks once itself
            tunnels.execute(this::upstreamReadable);
        }
    }

    /**
     * Container callback (or the selector thread after a pending write drained): the client has bytes. One
     * thread reads at a time; a call that comes while another thread reads makes that thread look again.
     */
    public void clientReadable() {
        if (clientReads.getAndIncrement() > 0) {
            return;
        }
        int missed = 1;
        do {
            readClient();
            missed = clientReads.addAndGet(-missed);
        } while (missed != 0);
    }

    private void readClient() {
        try {
            while (pendingUpstream == null && !closed.get() && client.isReadable()) {
                int n = client.read(fromClient);
                if (n < 0) {
                    clientEnded(null);
                    return;
                }
                if (n == 0) {
                    continue;
                }
                touch();
                ByteBuffer b = ByteBuffer.wrap(fromClient, 0, n);
                channel.write(b);
                if (b.hasRemaining()) {
                    ByteBuffer rest = ByteBuffer.allocate(b.remaining());
                    rest.put(b).flip();
                    pendingUpstream = rest;
                    interest(SelectionKey.OP_WRITE, 0); // the client is read again once this is written
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            close("client to upstream: " + e);
        }
    }

    /** Selector thread: the upstream takes the rest of a write. */
    void upstreamWritable() {
        ByteBuffer pending = pendingUpstream;
        if (pending == null) {
            interest(0, SelectionKey.OP_WRITE);
            return;
        }
        try {
            channel.write(pending);
        } catch (IOException e) {
            close("client to upstream: " + e);
            return;
        }
        if (!pending.hasRemaining()) {
            pendingUpstream = null;
            interest(0, SelectionKey.OP_WRITE);
            clientReadable();
        }
    }

    /** Container callback: the client's stream ended, or failed. */
    public void clientEnded(Throwable failure) {
        close(failure == null ? null : "client: " + failure);
    }

    /** Closes both sides once; {@code why} is null for an orderly end. */
    void close(String why) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (why != null) {
            LOG.debug("request={} route={} websocket tunnel closed: {}", head.requestId(), head.route().name(), why);
        }
        tunnels.closed(this);
        try {
            channel.close();
        } catch (IOException ignored) {
            // the upstream connection is gone either way
        }
        Client c = client;
        if (c != null) {
            c.close();
        }
        lease.release(InstanceOutcome.SUCCESS);
    }

    /** The upstream instance. */
    @Override
    public String toString() {
        return lease.instance().toString();
    }

    boolean isClosed() {
        return closed.get();
    }
}
