package dev.tollgate.proxy;

import dev.tollgate.discovery.InstanceOutcome;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;

/**
 * What a failed exchange says about the instance, for passive health; the same classification as
 * {@link FailureMapper}, which turns it into a status. Stateless.
 */
public final class InstanceOutcomes {
    private InstanceOutcomes() {
    }

    public static InstanceOutcome of(Throwable t) {
        if (t instanceof ClientBody.TooLargeException || t instanceof ClientBody.ReadException
                || t instanceof ConnectionRequestTimeoutException) {
            return InstanceOutcome.NOT_COUNTED; // the client's or the pool's doing, not the instance's
        }
        if (t instanceof ConnectTimeoutException || t instanceof HttpHostConnectException
                || t instanceof ConnectException || t instanceof NoRouteToHostException
                || t instanceof UnknownHostException) {
            return InstanceOutcome.REFUSED;
        }
        if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
            return InstanceOutcome.TIMED_OUT;
        }
        return InstanceOutcome.FAILED;
    }

    /**
     * Whether a failed attempt counts against its service's circuit breaker: not when it is the client's doing,
     * and not when passive health has ejected the instance that failed. The service breaker is for a service
     * that fails as a whole; one bad instance is passive health's to take out, and its failures (a burst of
     * timeouts from requests it held, say) must not stop the healthy instances from serving.
     */
    public static boolean countsAgainstService(Throwable t) {
        return !(t instanceof EjectedInstanceFailure) && !FailureMapper.map(t).clientFault();
    }

    /** An attempt's failure on an instance that passive health ejected with it or before it; wraps the cause. */
    static final class EjectedInstanceFailure extends Exception {
        private static final long serialVersionUID = 1L;

        EjectedInstanceFailure(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
