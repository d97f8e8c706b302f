package dev.tollgate.proxy;

import java.io.IOException;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * The client's request body for one or more upstream attempts: none; buffered whole (a retryable method with a
 * declared length under the retry buffer limit), so it can be sent again; or piped once, with flow control both
 * ways: the client is read only while less than {@value PipedBody#HIGH_WATER} bytes wait for the upstream, and the
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

}
