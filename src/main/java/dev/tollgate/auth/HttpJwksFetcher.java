package dev.tollgate.auth;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * Fetches a JWKS document over HTTP(S) with HttpClient 5 ({@link BoundedHttp}: the configured URL only, bounded
 * time) and a 1 MiB size limit. Thread-safe; closed with the gateway.
 */
final class HttpJwksFetcher implements JwksKeySource.Fetcher, AutoCloseable {
    private static final int MAX_BYTES = 1 << 20;
    /** JWKS fetches are rare: a refresh, or an unknown kid at most once per min-refetch-interval. */
    private static final int MAX_CONNECTIONS = 4;

    private final URI uri;
    private final CloseableHttpClient client;

    HttpJwksFetcher(URI uri, Duration timeout) {
        this.uri = uri;
        this.client = BoundedHttp.client(timeout, MAX_CONNECTIONS);
    }

    @Override
    public byte[] fetch() throws IOException {
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "application/jwk-set+json, application/json");
        return client.execute(get, response -> BoundedHttp.body(response, MAX_BYTES, "JWKS"));
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
