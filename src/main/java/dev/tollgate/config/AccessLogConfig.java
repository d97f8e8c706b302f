package dev.tollgate.config;

/**
 * The access log under {@code gateway.access-log.}.
 *
 * @param enabled write one line per request
 * @param queueSize lines waiting for the writer; when full, lines are dropped and counted, requests never wait
 * @param path where the lines go: {@value #CONTAINER} (the log directory of the servlet container it runs in),
 *             {@value #STDOUT}, or an absolute file path
 */
public record AccessLogConfig(boolean enabled, int queueSize, String path) {
    public static final String KEY_PATH = "gateway.access-log.path";
    public static final String CONTAINER = "container";
    public static final String STDOUT = "stdout";
}
