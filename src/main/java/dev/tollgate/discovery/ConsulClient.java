package dev.tollgate.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ConsulConfig;
import dev.tollgate.config.ConsulServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.net.URIBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * Reads a service's healthy instances from a Consul agent: {@code GET /v1/health/service/<name>?passing=true}
 * with the tag filter, datacenter, blocking-query {@code index} and {@code wait}, and the ACL token in
 * {@code X-Consul-Token} (never in the URL, so it stays out of access logs). Its own small HttpClient 5 pool,
 * separate from the upstream pool; HTTPS when the address says so (the JVM's trust store). Thread-safe;
 * closing it aborts the blocking queries in flight.
 */
final class ConsulClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Consul adds up to wait/16 of jitter to a blocking query; allow that and some network time on top. */
    private static final Duration SLACK = Duration.ofSeconds(5);

    /**
     * One answer.
     *
     * @param index the {@code X-Consul-Index} header (0 when absent)
     * @param instances the passing instances, ordered by host and port
     */
    record Result(long index, List<WeightedInstance> instances) {
    }

    /** Consul answered with an error status. */
    static final class StatusException extends IOException {
        private static final long serialVersionUID = 1L;

        StatusException(int status, String body) {
            super("Consul answered " + status + (body.isBlank() ? "" : ": " + body.strip()));
        }
    }

    private final ConsulConfig config;
    private final CloseableHttpClient client;

    /**
     * The pool is not bounded: each watcher holds at most one connection for its blocking query (and a
     * management resync one more), so the number of watched services bounds it.
     */
    ConsulClient(ConsulConfig config) {
        this.config = config;
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(Integer.MAX_VALUE)
                        .setMaxConnPerRoute(Integer.MAX_VALUE)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(config.connectTimeout().toMillis()))
                                .build())
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .setUserAgent("tollgate")
                .build();
    }

    /**
     * Asks for the passing instances of a service.
     *
     * @param index the blocking-query index, 0 for an answer without waiting
     * @param wait the longest hold when {@code index > 0}
     */
    Result health(ConsulServiceConfig service, long index, Duration wait) throws IOException {
        return health(service, index, wait, c -> { });
    }

    /**
     * As {@link #health(ConsulServiceConfig, long, Duration)}; {@code sent} gets the request before it is sent,
     * so that another thread can abort it ({@link Cancellable#cancel()}: the query fails at once).
     */
    Result health(ConsulServiceConfig service, long index, Duration wait, Consumer<Cancellable> sent)
            throws IOException {
        HttpGet get = new HttpGet(uri(service, index, wait));
        sent.accept(get);
        if (config.token() != null) {
            get.setHeader("X-Consul-Token", config.token());
        }
        Duration timeout = index > 0 ? wait.plus(wait.dividedBy(16)).plus(SLACK) : config.connectTimeout().plus(SLACK);
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.ofMilliseconds(timeout.toMillis()))
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(config.connectTimeout().toMillis()))
                .build());
        try (ClassicHttpResponse response = client.executeOpen(null, get, context)) {
            HttpEntity entity = response.getEntity();
            byte[] body;
            try (InputStream in = entity == null ? InputStream.nullInputStream() : entity.getContent()) {
                body = in.readNBytes(16 << 20);
            }
            if (response.getCode() != 200) {
                String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
                throw new StatusException(response.getCode(), text);
            }
            Header h = response.getFirstHeader("X-Consul-Index");
            long returned = 0;
            if (h != null) {
                try {
                    returned = Long.parseLong(h.getValue().trim());
                } catch (NumberFormatException e) {
                    returned = 0; // treated as an index that is not above zero: the query is reset
                }
            }
            return new Result(returned, parse(JSON.readTree(body), service.scheme()));
        }
    }

    private URI uri(ConsulServiceConfig service, long index, Duration wait) throws IOException {
        try {
            URIBuilder b = new URIBuilder(config.address())
                    .setPathSegments("v1", "health", "service", service.service())
                    .addParameter("passing", "true");
            for (String tag : service.tags()) {
                b.addParameter("tag", tag);
            }
            String dc = service.datacenter() != null ? service.datacenter() : config.datacenter();
            if (dc != null) {
                b.addParameter("dc", dc);
            }
            if (index > 0) {
                b.addParameter("index", Long.toString(index));
                b.addParameter("wait", Math.max(1, wait.toMillis()) + "ms");
            }
            return b.build();
        } catch (URISyntaxException e) {
            throw new IOException("cannot build the Consul query URI", e);
        }
    }

    /**
     * The instances of a {@code /v1/health/service} answer: address {@code Service.Address}, else
     * {@code Node.Address}; port {@code Service.Port}; scheme from a tag {@code https}/{@code scheme=https}
     * (or {@code http}/{@code scheme=http}), else {@code defaultScheme}; weight {@code Service.Weights.Passing}
     * (1 when absent). Duplicates of one address and port are kept once.
     */
    static List<WeightedInstance> parse(JsonNode entries, String defaultScheme) throws IOException {
        if (entries == null || !entries.isArray()) {
            throw new IOException("Consul answer is not a JSON array");
        }
        Map<Instance, WeightedInstance> out = new LinkedHashMap<>();
        for (JsonNode entry : entries) {
            JsonNode service = entry.path("Service");
            String address = service.path("Address").asText("");
            if (address.isBlank()) {
                address = entry.path("Node").path("Address").asText("");
            }
            int port = service.path("Port").asInt(0);
            if (address.isBlank() || port <= 0 || port > 65535) {
                continue;
            }
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            String scheme = scheme(service.path("Tags"), defaultScheme);
            int weight = Math.max(1, service.path("Weights").path("Passing").asInt(1));
            Instance instance = new Instance(scheme, address.toLowerCase(Locale.ROOT), port, "");
            out.putIfAbsent(instance, new WeightedInstance(instance, weight));
        }
        List<WeightedInstance> list = new ArrayList<>(out.values());
        list.sort(Comparator.comparing((WeightedInstance w) -> w.instance().host())
                .thenComparingInt(w -> w.instance().port()).thenComparing(w -> w.instance().scheme()));
        return list;
    }

    private static String scheme(JsonNode tags, String fallback) {
        for (JsonNode t : tags) {
            String tag = t.asText("");
            if (tag.equals("https") || tag.equals("scheme=https")) {
                return "https";
            }
            if (tag.equals("http") || tag.equals("scheme=http")) {
                return "http";
            }
        }
        return fallback;
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
    }
}
