package dev.tollgate.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;

/**
 * The client's request body for one or more upstream attempts: none; buffered whole (a retryable method with a
 * declared length under the retry buffer limit), so it can be sent again; or piped once, with flow control both
 * ways: the client is read only while less than {@value Pipe#HIGH_WATER} bytes wait for the upstream, and the
 * upstream connection is asked to write as soon as some arrive. Every body counts its bytes against the route's
 * limit and against the minimum data rate ({@link BodyRate}); a failure to read it is the client's
 * ({@link ClientBody} exceptions).
 */
abstract class RequestBody {
    /** What an attempt sends: the framing and the bytes, as HttpCore asks for them. */
    interface Producer {
        /** The entity details for the upstream request, or null for no body. */
        EntityDetails details();

        int available();

        void produce(DataStreamChannel channel) throws IOException;

        void release();
    }

    abstract boolean isRepeatable();

    /** The producer of one attempt. */
    abstract Producer producer();

    static RequestBody none() {
        return None.INSTANCE;
    }

    private static final class None extends RequestBody {
        static final None INSTANCE = new None();

        @Override
        boolean isRepeatable() {
            return true;
        }

        @Override
        Producer producer() {
            return null;
        }
    }

    /** A body read whole before the first attempt; each attempt sends the same bytes again. */
    static final class Buffered extends RequestBody implements Downstream.BodySink {
        private final long limit;
        private final Consumer<Throwable> onDone;
        private final ByteArrayOutputStream bytes;
        private final BodyRate rate;
        private boolean settled;

        /** @param onDone called once: with null when the body is complete, else with what failed */
        Buffered(long contentLength, long limit, BodyRate rate, Consumer<Throwable> onDone) {
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

    /** A body streamed from the client to one attempt as it arrives. */
    static final class Pipe extends RequestBody implements Downstream.BodySink, Producer, EntityDetails {
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
        Pipe(Downstream client, long length, long limit, BodyRate rate, Consumer<Throwable> onFailure) {
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
}
