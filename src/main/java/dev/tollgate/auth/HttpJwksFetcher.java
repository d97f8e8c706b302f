package dev.tollgate.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches a JWKS document over HTTP(S) with HttpClient 5: the configured URL only (no redirects), bounded time
 * and a 1 MiB size limit. Thread-safe; closed with the gateway.
 */
final class HttpJwksFetcher implements JwksKeySource.Fetcher, AutoCloseable {
    private static final int MAX_BYTES = 1 << 20;

    private final URI uri;
    private final CloseableHttpClient client;

    HttpJwksFetcher(URI uri, Duration timeout) {
        this.uri = uri;
        Timeout t = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t)
                                .setSocketTimeout(t).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setRedirectsEnabled(false)
                        .setResponseTimeout(t).setConnectionRequestTimeout(t).build())
                .disableAutomaticRetries()
                .build();
    }

    @Override
    public byte[] fetch() throws IOException {
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "application/jwk-set+json, application/json");
        return client.execute(get, response -> {
            if (response.getCode() != 200 || response.getEntity() == null) {
                throw new IOException("JWKS answered " + response.getCode());
            }
            try (InputStream in = response.getEntity().getContent()) {
                byte[] body = in.readNBytes(MAX_BYTES + 1);
                if (body.length > MAX_BYTES) {
                    throw new IOException("JWKS document larger than 1 MiB");
                }
                return body;
            }
        });
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
