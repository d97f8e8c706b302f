package dev.tollgate.http;

/** Header names the gateway reads or writes itself, for every layer (the servlet side and the proxy core). */
public final class HeaderNames {
    public static final String REQUEST_ID = "X-Request-Id";
    public static final String TRACEPARENT = "traceparent";
    public static final String X_FORWARDED_FOR = "X-Forwarded-For";
    public static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    public static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    public static final String X_FORWARDED_PORT = "X-Forwarded-Port";
    public static final String FORWARDED = "Forwarded";
    public static final String VIA = "Via";
    public static final String CONNECTION = "Connection";
    public static final String HOST = "Host";
    public static final String CONTENT_LENGTH = "Content-Length";
    public static final String TRANSFER_ENCODING = "Transfer-Encoding";
    public static final String RETRY_AFTER = "Retry-After";
    public static final String AGE = "Age";
    public static final String CACHE_STATUS = "Cache-Status";

    private HeaderNames() {
    }
}
