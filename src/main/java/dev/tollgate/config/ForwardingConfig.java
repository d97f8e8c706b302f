package dev.tollgate.config;

import java.util.List;

/**
 * How forwarding headers are written.
 *
 * @param trustedProxies CIDR blocks (or single addresses) whose forwarding headers are believed and appended to
 * @param via the pseudonym this gateway writes into {@code Via}
 */
public record ForwardingConfig(List<String> trustedProxies, String via) {
    public ForwardingConfig {
        trustedProxies = List.copyOf(trustedProxies);
    }
}
