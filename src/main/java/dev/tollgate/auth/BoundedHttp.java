package dev.tollgate.auth;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;

/**
 * The blocking HTTP calls authentication makes to an identity provider (its JWKS document, its introspection
 * endpoint): the configured URL only (no redirects, no retries, no cookies), every wait (connect, a pooled
 * connection, the answer) bounded by one timeout, and the answer's size bounded. Stateless.
 */
final class BoundedHttp {
    private BoundedHttp() {
    }

    /** A client whose every wait is bounded by {@code timeout}, with at most {@code maxConnections} at once. */
    static CloseableHttpClient client(Duration timeout, int maxConnections) {
        Timeout t = Timeout.of(timeout);
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(maxConnections).setMaxConnPerRoute(maxConnections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t)
                                .setSocketTimeout(t).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setRedirectsEnabled(false)
                        .setResponseTimeout(t).setConnectionRequestTimeout(t).build())
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
    }

    /**
     * The body of a {@code 200} answer, at most {@code maxBytes}.
     *
     * @param what names the answer in the exception's message, e.g. {@code JWKS}
     * @throws IOException for another status, no body or a larger one
     */
    static byte[] body(ClassicHttpResponse response, int maxBytes, String what) throws IOException {
        if (response.getCode() != 200 || response.getEntity() == null) {
            throw new IOException(what + " answered " + response.getCode());
        }
        try (InputStream in = response.getEntity().getContent()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw new IOException(what + " answer larger than " + (maxBytes >> 10) + " KiB");
            }
            return body;
        }
    }
}
