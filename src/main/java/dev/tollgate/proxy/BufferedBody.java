package dev.tollgate.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;

/** A body read whole before the first attempt; each attempt sends the same bytes again. */
final class BufferedBody extends RequestBody implements Downstream.BodySink {
    private final long limit;
    private final Consumer<Throwable> onDone;
    private final ByteArrayOutputStream bytes;
    private final BodyRate rate;
    private boolean settled;

    /** @param onDone called once: with null when the body is complete, else with what failed */
    BufferedBody(long contentLength, long limit, BodyRate rate, Consumer<Throwable> onDone) {
        this.limit = limit;
        this.rate = rate;
        this.onDone = onDone;
        this.bytes = new ByteArrayOutputStream((int) Math.max(0, contentLength));
    }

    @Override
    public synchronized boolean data(byte[] b, int off, int len) {
        if (settled) {
            return false;
        }
        if (bytes.size() + (long) len > limit) {
            settled = true;
            onDone.accept(new ClientBody.TooLargeException(limit));
            return false;
        }
        bytes.write(b, off, len);
        if (rate.tooSlow(bytes.size())) {
            settled = true;
            onDone.accept(new ClientBody.ReadException(rate.failure()));
            return false;
        }
        return true;
    }

    @Override
    public void end() {
        if (settle()) {
            onDone.accept(null);
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (settle()) {
            onDone.accept(new ClientBody.ReadException(cause));
        }
    }

    /** Marks the body settled (complete or failed); false when it already was. */
    private synchronized boolean settle() {
        if (settled) {
            return false;
        }
        settled = true;
        return true;
    }

    @Override
    boolean isRepeatable() {
        return true;
    }

    @Override
    Producer producer() {
        byte[] body;
        synchronized (this) {
            body = bytes.toByteArray();
        }
        BasicAsyncEntityProducer p = new BasicAsyncEntityProducer(body, null);
        return new Producer() {
            @Override
            public EntityDetails details() {
                return p;
            }

            @Override
            public int available() {
                return p.available();
            }

            @Override
            public void produce(DataStreamChannel channel) throws IOException {
                p.produce(channel);
            }

            @Override
            public void release() {
                p.releaseResources();
            }
        };
    }
}
