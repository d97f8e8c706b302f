package dev.tollgate.config;

import java.time.Duration;

/**
 * The bounded last-good-response cache that answers GET and HEAD while a breaker is open (routes opt in with
 * {@code stale-if-error}).
 *
 * @param maxEntries most responses kept
 * @param maxBytes most body bytes kept, all entries together
 * @param maxEntrySize a larger response is streamed but not kept
 * @param maxStale a kept response is no longer served once it is older than this
 */
public record StaleCacheConfig(int maxEntries, long maxBytes, long maxEntrySize, Duration maxStale) {
}
