package dev.tollgate.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/** A body streamed from the client to one attempt as it arrives. */
final class PipedBody extends RequestBody implements Downstream.BodySink, RequestBody.Producer, EntityDetails {
    static final int HIGH_WATER = 64 * 1024;

    private final Downstream client;
    private final long length;
    private final long limit;
    private final Consumer<Throwable> onFailure;
    private final BodyRate rate;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private Runnable onFirst;
    private DataStreamChannel channel;
    private int queued;
    private long count;
    private boolean ended;
    private boolean endSent;
    private boolean paused;
    private boolean failed;

    /**
     * @param length the declared length, or -1 for chunked framing upstream
     * @param onFailure called once when the body fails (too large, or the client's read failed)
     */
    PipedBody(Downstream client, long length, long limit, BodyRate rate, Consumer<Throwable> onFailure) {
        this.client = client;
        this.length = length;
        this.limit = limit;
        this.rate = rate;
        this.onFailure = onFailure;
    }

    /** Runs the action once, at the first data or at the end, whichever comes first. */
    synchronized void onFirst(Runnable action) {
        this.onFirst = action;
    }

    /** Whether the client ended the body without sending any of it (known after {@link #onFirst}). */
    synchronized boolean isEmpty() {
        return ended && count == 0;
    }

    @Override
    public boolean data(byte[] b, int off, int len) {
        DataStreamChannel ch;
        boolean more;
        Throwable failure = null;
        Runnable first;
        synchronized (this) {
            if (failed) {
                return false;
            }
            count += len;
            if (count > limit) {
                failed = true;
                failure = new ClientBody.TooLargeException(limit);
                more = false;
            } else if (rate.tooSlow(count)) {
                failed = true;
                failure = new ClientBody.ReadException(rate.failure());
                more = false;
            } else {
                queue.add(ByteBuffer.wrap(Arrays.copyOfRange(b, off, off + len)));
                queued += len;
                more = queued < HIGH_WATER;
                paused = !more;
                if (paused) {
                    rate.paused();
                }
            }
            ch = channel;
            first = takeFirst();
        }
        if (failure != null) {
            onFailure.accept(failure);
            return false;
        }
        if (first != null) {
            first.run();
        }
        if (ch != null) {
            ch.requestOutput();
        }
        return more;
    }

    @Override
    public void end() {
        DataStreamChannel ch;
        Runnable first;
        synchronized (this) {
            ended = true;
            ch = channel;
            first = takeFirst();
        }
        if (first != null) {
            first.run();
        }
        if (ch != null) {
            ch.requestOutput();
        }
    }

    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            if (failed) {
                return;
            }
            failed = true;
        }
        onFailure.accept(new ClientBody.ReadException(cause));
    }

    private Runnable takeFirst() {
        Runnable first = onFirst;
        onFirst = null;
        return first;
    }

    @Override
    boolean isRepeatable() {
        return false;
    }

    @Override
    Producer producer() {
        return this;
    }

    @Override
    public EntityDetails details() {
        return this;
    }

    @Override
    public synchronized int available() {
        if (channel == null) {
            return 1; // the first call hands over the channel
        }
        return queued > 0 ? queued : ended && !endSent ? 1 : 0;
    }

    @Override
    public void produce(DataStreamChannel ch) throws IOException {
        boolean resume = false;
        synchronized (this) {
            channel = ch;
            while (!queue.isEmpty()) {
                ByteBuffer next = queue.peek();
                queued -= ch.write(next);
                if (next.hasRemaining()) {
                    break;
                }
                queue.poll();
            }
            if (queue.isEmpty() && ended && !endSent) {
                endSent = true;
                ch.endStream();
            }
            if (paused && queued < HIGH_WATER / 2) {
                paused = false;
                rate.resumed();
                resume = true;
            }
        }
        if (resume) {
            client.resumeBody();
        }
    }

    @Override
    public void release() {
        // the queue goes with the exchange
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public String getContentType() {
        return null;
    }

    @Override
    public String getContentEncoding() {
        return null;
    }

    @Override
    public boolean isChunked() {
        return length < 0;
    }

    @Override
    public java.util.Set<String> getTrailerNames() {
        return null;
    }
}
