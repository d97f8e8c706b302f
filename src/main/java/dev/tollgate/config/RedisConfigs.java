package dev.tollgate.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Parses and validates the {@code gateway.redis.*} section: one server, or the seed nodes of a Redis Cluster. */
final class RedisConfigs {
    private static final String URI_KEY = "gateway.redis.uri";

    private RedisConfigs() {
    }

    static RedisConfig parse(Settings s) {
        boolean cluster = s.bool("gateway.redis.cluster");
        List<URI> seeds = cluster ? seeds(s) : single(s);
        return new RedisConfig(seeds.isEmpty() ? null : seeds.get(0),
                s.positiveDuration("gateway.redis.timeout"),
                s.integer("gateway.redis.pool-size", 1, 10_000),
                s.positiveDuration("gateway.redis.retry-interval"),
                cluster, seeds);
    }

    private static List<URI> single(Settings s) {
        String v = s.string(URI_KEY);
        if (v == null) {
            return List.of();
        }
        if (v.contains(",")) {
            s.problem(URI_KEY, v, "one redis:// URI (several seed nodes need gateway.redis.cluster = true)");
            return List.of();
        }
        URI uri = s.uri(URI_KEY, v.trim(), List.of("redis", "rediss"));
        if (uri != null && uri.getRawPath() != null && !uri.getRawPath().matches("(/[0-9]{1,2})?")) {
            s.problem(URI_KEY, v, "redis://host:port or redis://host:port/<database number>");
            return List.of();
        }
        return uri == null ? List.of() : List.of(uri);
    }

    /**
     * The seed nodes of a cluster: one or more URIs separated by commas, each without a database number (a
     * cluster has database 0 only), all with the same scheme and credentials (one client config serves every
     * node the cluster announces).
     */
    private static List<URI> seeds(Settings s) {
        List<String> values = s.list(URI_KEY);
        if (values.isEmpty()) {
            s.problem(URI_KEY, null, "the seed nodes of the cluster (redis://host:port, ...) with gateway.redis.cluster"
                    + " = true");
            return List.of();
        }
        List<URI> seeds = new ArrayList<>();
        for (String v : values) {
            URI uri = s.uri(URI_KEY, v, List.of("redis", "rediss"));
            if (uri == null) {
                continue;
            }
            String path = uri.getRawPath();
            if (path != null && !path.isEmpty() && !path.equals("/")) {
                s.problem(URI_KEY, v, "redis://host:port without a database number (Redis Cluster has database 0"
                        + " only)");
            } else if (!seeds.isEmpty() && !sameClient(seeds.get(0), uri)) {
                s.problem(URI_KEY, v, "the scheme and credentials of the first seed node (all nodes of a cluster"
                        + " are reached the same way)");
            } else {
                seeds.add(uri);
            }
        }
        return seeds.size() == values.size() ? seeds : List.of();
    }

    private static boolean sameClient(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && Objects.equals(a.getRawUserInfo(), b.getRawUserInfo());
    }
}
