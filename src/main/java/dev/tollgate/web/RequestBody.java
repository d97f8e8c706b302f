package dev.tollgate.web;

import dev.tollgate.proxy.ClientBody;
import dev.tollgate.resilience.RetryPolicy;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * The client's request body for one or more upstream attempts: none; buffered whole (a retryable method with a
 * declared length under the retry buffer limit), so it can be sent again; or streamed once. Not thread-safe
 * (one request thread).
 */
final class RequestBody {
    private final HttpServletRequest req;
    private final byte[] buffered;
    private final ClientBody streamed;

    private RequestBody(HttpServletRequest req, byte[] buffered, ClientBody streamed) {
        this.req = req;
        this.buffered = buffered;
        this.streamed = streamed;
    }

    /**
     * Reads a small retryable body now; a failure to read it is the client's ({@link ClientBody} exceptions).
     *
     * @param policy the service's retry policy; null (guard off, no retries): the body always streams
     */
    static RequestBody of(HttpServletRequest req, RetryPolicy policy, long maxBodySize) throws IOException {
        if (!UpstreamExchange.hasBody(req)) {
            return new RequestBody(req, null, null);
        }
        ClientBody body = new ClientBody(req.getInputStream(), maxBodySize);
        if (policy != null && policy.buffers(req.getMethod(), req.getContentLengthLong())) {
            return new RequestBody(req, body.readAllBytes(), null);
        }
        return new RequestBody(req, null, body);
    }

    /** Whether the body can be sent again: none, or buffered. */
    boolean isRepeatable() {
        return streamed == null;
    }

    void attach(HttpUriRequestBase upstream) {
        if (buffered != null) {
            upstream.setEntity(new ByteArrayEntity(buffered, null));
        } else if (streamed != null) {
            upstream.setEntity(UpstreamExchange.entity(req, streamed));
        }
    }
}
