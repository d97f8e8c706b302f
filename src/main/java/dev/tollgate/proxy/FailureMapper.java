package dev.tollgate.proxy;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;

/**
 * The one place where a failure to reach or read an upstream becomes a status: refused or unreachable 502,
 * response timeout 504, no connection to be had 503, oversized body 413, a client that stalled 408.
 * Stateless.
 */
public final class FailureMapper {
    private FailureMapper() {
    }

    public static FailureAnswer map(Throwable t) {
        if (t instanceof ClientBody.TooLargeException) {
            return new FailureAnswer(413, "Content Too Large", "The request body is larger than this route accepts.",
                    true, true);
        }
        if (t instanceof ClientBody.ReadException) {
            boolean timeout = causedBy(t, TimeoutException.class) || causedBy(t, SocketTimeoutException.class);
            return timeout
                    ? new FailureAnswer(408, "Request Timeout", "The request body was not received in time.", true,
                            true)
                    : new FailureAnswer(400, "Bad Request", "The request body could not be read.", true, true);
        }
        if (t instanceof ConnectionRequestTimeoutException) {
            return new FailureAnswer(503, "Service Unavailable", "No connection to the upstream service is free.",
                    false, false);
        }
        if (t instanceof ConnectTimeoutException || t instanceof HttpHostConnectException
                || t instanceof ConnectException || t instanceof NoRouteToHostException
                || t instanceof UnknownHostException) {
            return new FailureAnswer(502, "Bad Gateway", "The upstream service could not be reached.", false, false);
        }
        if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
            return new FailureAnswer(504, "Gateway Timeout", "The upstream service did not answer in time.", false,
                    false);
        }
        return new FailureAnswer(502, "Bad Gateway", "The upstream service failed to send a valid response.", false,
                false);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
