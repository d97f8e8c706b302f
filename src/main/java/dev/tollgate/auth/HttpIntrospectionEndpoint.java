package dev.tollgate.auth;

import dev.tollgate.config.AuthConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.entity.UrlEncodedFormEntity;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.message.BasicNameValuePair;

/**
 * One provider's introspection endpoint over HTTP(S) with HttpClient 5: {@code POST} of
 * {@code token=...&token_type_hint=access_token} (RFC 7662 section 2.1) with the gateway's client credentials as
 * HTTP Basic (RFC 6749 section 2.3.1: each form-encoded, then joined by {@code :}), the configured URL only (no
 * redirects, no retries), every wait (connect, pooled connection, answer) bounded by the timeout, at most
 * {@value #MAX_CONNECTIONS} calls at once and a 64 KiB answer. The call blocks its thread for at most that
 * timeout. Thread-safe; closed with the gateway.
 */
final class HttpIntrospectionEndpoint implements Introspector.Endpoint, AutoCloseable {
    static final int MAX_CONNECTIONS = 64;
    private static final int MAX_BYTES = 64 << 10;

    private final URI uri;
    private final String authorization;
    private final CloseableHttpClient client;

    HttpIntrospectionEndpoint(AuthConfig.Introspection config) {
        this.uri = config.uri();
        String credentials = form(config.clientId()) + ":" + form(config.clientSecret());
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        this.client = BoundedHttp.client(config.timeout(), MAX_CONNECTIONS);
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String introspect(String token) throws IOException {
        HttpPost post = new HttpPost(uri);
        post.setHeader("Authorization", authorization);
        post.setHeader("Accept", "application/json");
        post.setEntity(new UrlEncodedFormEntity(List.of(new BasicNameValuePair("token", token),
                new BasicNameValuePair("token_type_hint", "access_token")), StandardCharsets.UTF_8));
        return client.execute(post, response ->
                new String(BoundedHttp.body(response, MAX_BYTES, "introspection"), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
