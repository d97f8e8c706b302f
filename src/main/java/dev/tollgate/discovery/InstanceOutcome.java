package dev.tollgate.discovery;

/** How an exchange with a leased instance ended, as far as the instance's health is concerned. */
public enum InstanceOutcome {
    /** The instance answered (any status: an error status is the application's, not the instance's health). */
    SUCCESS,
    /** The connection was refused, the instance was unreachable or the connect timed out. */
    REFUSED,
    /** No response head in time. */
    TIMED_OUT,
    /** The connection was reset or the response was not valid HTTP. */
    FAILED,
    /** Nothing learned about the instance: the client's body failed, or no connection was free in the pool. */
    NOT_COUNTED;

    boolean isFailure() {
        return this == REFUSED || this == TIMED_OUT || this == FAILED;
    }
}
