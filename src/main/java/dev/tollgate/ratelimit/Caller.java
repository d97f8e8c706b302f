package dev.tollgate.ratelimit;

import dev.tollgate.auth.Principal;
import java.util.function.UnaryOperator;

/**
 * What a rate-limit decision may key on, as the web layer learned it.
 *
 * @param route the matched route's name (its canonical path chose it, so path variants share buckets)
 * @param clientAddress the trusted-proxy-aware client address
 * @param principal who is calling, or null when anonymous
 * @param headers the request's header values by name (null when absent)
 */
public record Caller(String route, String clientAddress, Principal principal, UnaryOperator<String> headers) {
}
