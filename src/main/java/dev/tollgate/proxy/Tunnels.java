package dev.tollgate.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSocket tunnels: one selector thread ({@code tollgate-websocket}) drives the upstream side of all
 * of them, started with the first tunnel, so a gateway without WebSocket routes runs no extra thread. Enforces
 * each tunnel's idle timeout and maximum lifetime on the proxy's scheduler, counts the open tunnels, and closes
 * what is left at shutdown. Thread-safe.
 */
public final class Tunnels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnels.class);

    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private final Queue<Tunnel> toRegister = new ConcurrentLinkedQueue<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong opened = new AtomicLong();
    private final Object lock = new Object();
    private Selector selector;
    private Thread thread;
    private boolean stopped;

    /**
     * @param scheduler runs the idle and lifetime checks
     * @param nanoTime the clock of those checks
     */
    Tunnels(ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
    }

    /** Tunnels open now. */
    public int open() {
        return open.size();
    }

    /** Tunnels opened since start-up. */
    public long opened() {
        return opened.get();
    }

    long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** Counts the tunnel, arms its timers and hands its channel to the selector thread. */
    void register(Tunnel t) throws IOException {
        Selector s = selector();
        open.add(t);
        opened.incrementAndGet();
        t.touch();
        var ws = t.head().route().config().websocket();
        long idle = ws.idleTimeout().toNanos();
        t.idleCheck = scheduler.schedule(() -> checkIdle(t, idle), idle, TimeUnit.NANOSECONDS);
        t.lifetimeEnd = scheduler.schedule(() -> t.close("maximum lifetime reached"),
                ws.maxLifetime().toNanos(), TimeUnit.NANOSECONDS);
        toRegister.add(t);
        s.wakeup();
    }

    private void checkIdle(Tunnel t, long idle) {
        if (t.isClosed()) {
            return;
        }
        long quiet = nanoTime() - t.lastActivity();
        if (quiet >= idle) {
            t.close("idle for " + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms");
        } else {
            t.idleCheck = scheduler.schedule(() -> checkIdle(t, idle), idle - quiet, TimeUnit.NANOSECONDS);
        }
    }

    void closed(Tunnel t) {
        open.remove(t);
        cancel(t.idleCheck);
        cancel(t.lifetimeEnd);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private static void cancel(java.util.concurrent.Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Runs a task on the selector thread, after the registrations queued before it. */
    void execute(Runnable task) {
        tasks.add(task);
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    void wakeup() {
        Selector s = selector;
        if (s != null && Thread.currentThread() != thread) {
            s.wakeup();
        }
    }

    private Selector selector() throws IOException {
        synchronized (lock) {
            if (stopped) {
                throw new ClosedChannelException();
            }
            if (selector == null) {
                selector = Selector.open();
                thread = new Thread(this::run, "tollgate-websocket");
                thread.setDaemon(true);
                thread.start();
            }
            return selector;
        }
    }

    private void run() {
        Selector s = selector;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                s.select();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!s.isOpen()) {
                return;
            }
            for (Tunnel t; (t = toRegister.poll()) != null; ) {
                try {
                    t.registered(t.channel().register(s, 0, t));
                } catch (ClosedChannelException e) {
                    t.close("upstream closed before the join");
                }
            }
            for (Runnable task; (task = tasks.poll()) != null; ) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("websocket tunnel task failed: {}", e.toString());
                }
            }
            Iterator<SelectionKey> keys = s.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey k = keys.next();
                keys.remove();
                Tunnel t = (Tunnel) k.attachment();
                try {
                    if (k.isValid() && k.isReadable()) {
                        t.upstreamReadable();
                    }
                    if (k.isValid() && k.isWritable()) {
                        t.upstreamWritable();
                    }
                } catch (java.nio.channels.CancelledKeyException e) {
                    // closed meanwhile
                } catch (RuntimeException e) {
                    LOG.warn("websocket tunnel failed: {}", e.toString());
                    t.close(e.toString());
                }
            }
        }
    }

    /** Waits up to {@code nanos} for every tunnel to end by itself; true when none is left. */
    public boolean awaitClosed(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while (!open.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Closes every tunnel still open and stops the selector thread. */
    @Override
    public void close() {
        List<Tunnel> left = new ArrayList<>(open);
        if (!left.isEmpty()) {
            LOG.info("shutdown: closing {} websocket tunnels", left.size());
        }
        left.forEach(t -> t.close("gateway shutting down"));
        synchronized (lock) {
            stopped = true;
            if (selector != null) {
                thread.interrupt();
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // the thread ends either way
                }
            }
        }
    }
}
