package dev.tollgate.config;

/**
 * The access log under {@code gateway.access-log.}.
 *
 * @param enabled write one line per request
 * @param queueSize lines waiting for the writer; when full, lines are dropped and counted, requests never wait
 */
public record AccessLogConfig(boolean enabled, int queueSize) {
}
