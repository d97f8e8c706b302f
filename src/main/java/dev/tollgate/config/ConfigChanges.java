package dev.tollgate.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a configuration reload changes, and what it cannot. Reloaded: the routes ({@code gateway.routes.*}), the
 * rate-limit rules ({@code gateway.rate-limit.rules.*}), the services ({@code gateway.services.*}), {@code consul}
 * ones and those with active health checks included, and the Consul agent's settings; authentication
 * ({@code gateway.auth.*}): API keys and their header, identity providers, user-context headers, the token
 * cache's bound, negative time and Redis timeout; forwarding ({@code gateway.forwarding.*}), the request limits
 * ({@code gateway.limits.*}), the upstream connection pool ({@code gateway.http-client.*} but its I/O threads),
 * the access log, the file watch, the rate limiter's batching, prefetch and fixed instance count, and the admin
 * endpoints' token and allowed peers. What opens or shapes something for the life of the process needs a restart
 * (ports, the admin endpoints' port, path and switch, the pool's I/O threads, Redis, the token cache's policy,
 * the rate limiter's policy and heartbeat, prefetch switched on or off, instances switched between a fixed count
 * and heartbeats): a change to it is reported as needing a restart and the running value stays. Stateless.
 */
public final class ConfigChanges {
    public static final String ROUTES = "gateway.routes.";
    public static final String RULES = "gateway.rate-limit.rules.";
    public static final String API_KEYS = "gateway.auth.api-keys.";
    /** The header an API key comes in: applied by a reload with the keys. */
    public static final String API_KEY_HEADER = "gateway.auth.api-key.header";
    public static final String SERVICES = "gateway.services.";
    /** Trusted proxies and the forwarding headers. */
    public static final String FORWARDING = "gateway.forwarding.";
    /** The request checks: URI and header limits, body size and minimum body rate. */
    public static final String LIMITS = "gateway.limits.";
    /** Every authentication setting. */
    public static final String AUTH = "gateway.auth.";
    /** Whether API keys not configured are looked up in Redis. */
    public static final String API_KEY_REDIS_LOOKUP = "gateway.auth.api-key.redis-lookup";
    /** The token cache's policy: it decides at start-up whether level 2 and the revocation feed exist. */
    private static final List<String> TOKEN_CACHE_REDIS = List.of("gateway.auth.cache");
    /** The {@code default} identity provider's settings (and every provider's token size limit). */
    public static final String JWT = "gateway.auth.jwt.";
    public static final String PROVIDERS = "gateway.auth.providers.";
    /** The upstream connection pool: limits, timeouts and idle handling are applied by a reload. */
    public static final String HTTP_CLIENT = "gateway.http-client.";
    /** The I/O reactor's thread count: the reactor runs the threads it started with. */
    private static final String IO_THREADS = "gateway.http-client.io-threads";
    private static final String RATE_LIMIT_BATCH_SIZE = "gateway.rate-limit.batch-size";
    private static final String RATE_LIMIT_IN_FLIGHT = "gateway.rate-limit.batches-in-flight";
    private static final String RATE_LIMIT_PREFETCH = "gateway.rate-limit.prefetch";
    private static final String RATE_LIMIT_PREFETCH_TIME = "gateway.rate-limit.prefetch-time";
    private static final String RATE_LIMIT_INSTANCES = "gateway.rate-limit.instances";
    /** Who may call the admin endpoints; their port, path and whether they exist at all take a restart. */
    private static final List<String> ADMIN_ACCESS = List.of("gateway.admin.token", "gateway.admin.allowed-addresses");
    /** The Consul agent: a reload watches every consul service anew through a client of the new settings. */
    private static final String CONSUL = "gateway.consul.";
    /** The access log: a reload opens the new destination and switches to it. */
    private static final String ACCESS_LOG = "gateway.access-log.";
    /** Whether the configuration file is followed: a reload starts or stops the watch. */
    private static final String WATCH = "gateway.config.watch";

    private ConfigChanges() {
    }

    /** Added, removed and changed names of one kind (routes, services, rules, API keys, identity providers). */
    public record Change(List<String> added, List<String> removed, List<String> changed) {
        public Change {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }

        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        @Override
        public String toString() {
            return "added " + added + ", removed " + removed + ", changed " + changed;
        }
    }

    /**
     * What a reload does.
     *
     * @param kinds the changes by kind ({@code routes}, {@code services}, {@code rules}, {@code api-keys},
     *              {@code providers})
     * @param restart one line per changed key that needs a restart (secret values never shown)
     */
    public record Diff(Map<String, Change> kinds, List<String> restart) {
        public Diff {
            kinds = Collections.unmodifiableMap(new LinkedHashMap<>(kinds));
            restart = List.copyOf(restart);
        }

        public Change of(String kind) {
            return kinds.get(kind);
        }

        /** Whether nothing that a reload applies changed. */
        public boolean isEmpty() {
            return kinds.values().stream().allMatch(Change::isEmpty);
        }
    }

    /** The diff between the running configuration and a newly loaded, valid one. */
    public static Diff diff(GatewayConfig running, GatewayConfig next) {
        Map<String, String> before = running.effective();
        Map<String, String> after = next.effective();
        Map<String, Change> kinds = new LinkedHashMap<>();
        kinds.put("routes", names(before, after, ROUTES));
        kinds.put("services", names(before, after, SERVICES));
        kinds.put("rules", names(before, after, RULES));
        kinds.put("api-keys", names(before, after, API_KEYS));
        kinds.put("providers", providers(running, next));
        return new Diff(kinds, needingRestart(running, next));
    }

    /** Whether any key under the prefix differs. */
    public static boolean changed(GatewayConfig running, GatewayConfig next, String prefix) {
        return !section(running.effective(), prefix).equals(section(next.effective(), prefix));
    }

    /** One line per changed key that a reload does not apply, naming the key and (unless secret) both values. */
    public static List<String> needingRestart(GatewayConfig running, GatewayConfig next) {
        Map<String, String> before = running.effective();
        Map<String, String> after = next.effective();
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            String a = before.get(key);
            String b = after.get(key);
            if (Objects.equals(trim(a), trim(b)) || reloadable(key, trim(a), trim(b), running)) {
                continue;
            }
            String shown = Secrets.declared().isSecret(key) ? "changed"
                    : "changed from " + quote(key, a) + " to " + quote(key, b);
            problems.add(key + ": " + shown + "; needs a restart");
        }
        return problems;
    }

    /**
     * Whether a reload applies this change. The rate limiter's batching and prefetch timing always; its prefetch
     * size while prefetch stays on or off (switching it takes a restart); a fixed instance count while it stays
     * fixed (a count discovered by heartbeats, {@code 0}, is chosen at start-up).
     */
    static boolean reloadable(String key, String before, String after, GatewayConfig running) {
        switch (key) {
            case RATE_LIMIT_BATCH_SIZE:
            case RATE_LIMIT_IN_FLIGHT:
            case RATE_LIMIT_PREFETCH_TIME:
                return true;
            case RATE_LIMIT_PREFETCH:
                return positive(before) == positive(after);
            case RATE_LIMIT_INSTANCES:
                return positive(before) && positive(after);
            default:
                return reloadable(key, running);
        }
    }

    private static boolean positive(String number) {
        try {
            return number != null && Integer.parseInt(number) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Whether a reload applies a change of this key. The API keys' Redis lookup can be switched on by a reload
     * only when the token cache has used Redis since start-up ({@code running}).
     */
    static boolean reloadable(String key, GatewayConfig running) {
        if (key.equals(API_KEY_REDIS_LOOKUP)) {
            return running.auth().usesRedis();
        }
        if (key.startsWith(AUTH)) {
            return !TOKEN_CACHE_REDIS.contains(key);
        }
        if (key.equals(WATCH) || key.startsWith(ACCESS_LOG) || key.startsWith(CONSUL) || ADMIN_ACCESS.contains(key)) {
            return true;
        }
        if (key.startsWith(HTTP_CLIENT)) {
            return !key.equals(IO_THREADS);
        }
        return key.startsWith(ROUTES) || key.startsWith(RULES) || key.startsWith(SERVICES)
                || key.startsWith(FORWARDING) || key.startsWith(LIMITS);
    }

    /** The named providers' changes, and {@code default} for a change under {@code gateway.auth.jwt.*}. */
    private static Change providers(GatewayConfig running, GatewayConfig next) {
        Change named = names(running.effective(), next.effective(), PROVIDERS);
        if (!changed(running, next, JWT)) {
            return named;
        }
        List<String> changed = new ArrayList<>(named.changed());
        changed.add(0, AuthConfig.DEFAULT_PROVIDER);
        return new Change(named.added(), named.removed(), changed);
    }

    private static Change names(Map<String, String> before, Map<String, String> after, String prefix) {
        Map<String, Map<String, String>> a = byName(before, prefix);
        Map<String, Map<String, String>> b = byName(after, prefix);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : b.entrySet()) {
            Map<String, String> was = a.get(e.getKey());
            if (was == null) {
                added.add(e.getKey());
            } else if (!was.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        List<String> removed = new ArrayList<>();
        for (String n : a.keySet()) {
            if (!b.containsKey(n)) {
                removed.add(n);
            }
        }
        return new Change(added, removed, changed);
    }

    private static Map<String, Map<String, String>> byName(Map<String, String> all, String prefix) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        section(all, prefix).forEach((k, v) -> out.computeIfAbsent(name(k, prefix), n -> new TreeMap<>())
                .put(k, trim(v)));
        return out;
    }

    private static Map<String, String> section(Map<String, String> all, String prefix) {
        Map<String, String> out = new TreeMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, trim(v));
            }
        });
        return out;
    }

    private static String name(String key, String prefix) {
        int dot = key.indexOf('.', prefix.length());
        return dot < 0 ? key.substring(prefix.length()) : key.substring(prefix.length(), dot);
    }

    private static String trim(String v) {
        return v == null ? null : v.trim();
    }

    private static String quote(String key, String v) {
        return v == null ? "(unset)" : "\"" + Secrets.declared().shown(key, v.trim()) + "\"";
    }
}
