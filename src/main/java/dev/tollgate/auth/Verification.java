package dev.tollgate.auth;

import java.time.Duration;

/**
 * One way a provider establishes a token (its JWT keys and rules, or its introspection endpoint), with the
 * fingerprint that binds cached results to it and the form in which its results are kept in level 2.
 * Implementations are thread-safe.
 */
interface Verification {
    /**
     * A digest of every setting that decides whether a token is accepted (see {@link Fingerprint}); part of the
     * cache key, so a result is only ever reused under the settings it was established with.
     */
    String fingerprint();

    /** Establishes the token. */
    VerifiedToken verify(String token) throws AuthException;

    /** How long a refusal of {@link #verify} is remembered in the negative cache. */
    Duration refusalTtl(Duration configured);

    /** The level-2 value of a result. */
    String toCache(VerifiedToken token);

    /** A result from its level-2 value. */
    VerifiedToken fromCache(String value) throws AuthException;
}
