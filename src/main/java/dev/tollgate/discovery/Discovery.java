package dev.tollgate.discovery;

/**
 * Picks an instance of an upstream service. Implementations answer from memory, never from the network,
 * and are thread-safe.
 */
public interface Discovery {
    /** An instance of the service, or null when it has none. */
    Instance choose(String service);
}
