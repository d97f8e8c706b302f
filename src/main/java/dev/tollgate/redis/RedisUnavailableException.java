package dev.tollgate.redis;

/** Redis could not answer: it is down (or was recently), unreachable, or too slow. Callers apply their policy. */
public final class RedisUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
