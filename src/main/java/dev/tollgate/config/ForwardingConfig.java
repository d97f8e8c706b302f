package dev.tollgate.config;

import java.util.List;

/**
 * How forwarding headers are written, and which client-sent headers never reach an upstream.
 *
 * @param trustedProxies CIDR blocks (or single addresses) whose forwarding headers are believed and appended to
 * @param via the pseudonym this gateway writes into {@code Via}
 * @param clientAddressHeaders other headers that carry a client address ({@code X-Real-IP} and its kin): kept
 *     only from a trusted proxy, removed from anyone else
 * @param clientAddressHeader a header set to the client address the gateway computed, or null for none
 * @param stripHeaders header names removed from every request on every route; a trailing {@code *} matches any
 *     name with that prefix
 */
public record ForwardingConfig(List<String> trustedProxies, String via, List<String> clientAddressHeaders,
                               String clientAddressHeader, List<String> stripHeaders) {
    public ForwardingConfig {
        trustedProxies = List.copyOf(trustedProxies);
        clientAddressHeaders = List.copyOf(clientAddressHeaders);
        stripHeaders = List.copyOf(stripHeaders);
    }
}
