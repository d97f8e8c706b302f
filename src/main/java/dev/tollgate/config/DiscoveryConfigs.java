package dev.tollgate.config;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the discovery settings: the global {@code gateway.consul.*} and {@code gateway.passive-health.*}
 * sections, each {@code gateway.services.<name>.*}, and a route's {@code load-balancer}. Stateless.
 */
final class DiscoveryConfigs {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern CONSUL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern TAG = Pattern.compile("[^\\s,]+");
    private static final List<String> SCHEMES = List.of("http", "https");

    private DiscoveryConfigs() {
    }

    static ConsulConfig consul(Settings s) {
        String p = "gateway.consul.";
        String raw = s.string(p + "address", "http://127.0.0.1:8500");
        URI address = s.uri(p + "address", raw, SCHEMES);
        if (address != null && address.getRawPath() != null && !address.getRawPath().isEmpty()
                && !address.getRawPath().equals("/")) {
            s.problem(p + "address", raw, "the agent's address without a path (e.g. http://127.0.0.1:8500)");
        }
        String dc = s.string(p + "datacenter");
        if (dc != null && !CONSUL_NAME.matcher(dc).matches()) {
            s.problem(p + "datacenter", dc, "a datacenter name (letters, digits, - _ .)");
        }
        Duration wait = s.positiveDuration(p + "wait", Duration.ofSeconds(30));
        if (wait.compareTo(Duration.ofMinutes(10)) > 0) {
            s.problem(p + "wait", s.string(p + "wait"), "at most 10m (Consul's limit for blocking queries)");
        }
        Duration full = s.positiveDuration(p + "full-read-interval", Duration.ofSeconds(30));
        Duration connect = s.positiveDuration(p + "connect-timeout", Duration.ofSeconds(2));
        Duration retryMin = s.positiveDuration(p + "retry-interval", Duration.ofMillis(500));
        Duration retryMax = s.positiveDuration(p + "max-retry-interval", Duration.ofSeconds(30));
        if (retryMax.compareTo(retryMin) < 0) {
            s.problem(p + "max-retry-interval", s.string(p + "max-retry-interval"),
                    "at least gateway.consul.retry-interval (" + s.string(p + "retry-interval") + ")");
        }
        Path file = null;
        String f = s.string(p + "snapshot-file");
        if (f != null) {
            try {
                file = Path.of(f);
            } catch (InvalidPathException e) {
                s.problem(p + "snapshot-file", f, "a file path");
            }
        }
        return new ConsulConfig(address, s.string(p + "token"), dc, wait, full, connect, retryMin, retryMax, file);
    }

    /** The passive-health settings under {@code prefix}, each defaulting to {@code fallback}'s. */
    static PassiveHealthConfig passiveHealth(Settings s, String prefix, PassiveHealthConfig fallback) {
        int failures = s.integer(prefix + "consecutive-failures", fallback.consecutiveFailures(), 1, 1000);
        Duration base = s.positiveDuration(prefix + "base-ejection-time", fallback.baseEjectionTime());
        Duration max = s.positiveDuration(prefix + "max-ejection-time", fallback.maxEjectionTime());
        if (max.compareTo(base) < 0) {
            s.problem(prefix + "max-ejection-time", s.string(prefix + "max-ejection-time", max.toString()),
                    "at least the base-ejection-time (" + base.toMillis() + "ms)");
        }
        int percent = s.integer(prefix + "max-ejected-percent", fallback.maxEjectedPercent(), 0, 100);
        return new PassiveHealthConfig(failures, base, max, percent);
    }

    static PassiveHealthConfig passiveHealthDefaults(Settings s) {
        return passiveHealth(s, "gateway.passive-health.",
                new PassiveHealthConfig(5, Duration.ofSeconds(10), Duration.ofMinutes(5), 50));
    }

    static ServiceConfig service(Settings s, String name, PassiveHealthConfig healthDefaults,
                                 ResilienceConfig resilience) {
        String p = "gateway.services." + name + ".";
        if (!NAME.matcher(name).matches()) {
            s.problem(p.substring(0, p.length() - 1), name, "a name of lower-case letters, digits and -");
        }
        String discovery = s.string(p + "discovery", ServiceConfig.STATIC);
        boolean consul = discovery.equals(ServiceConfig.CONSUL);
        if (!consul && !discovery.equals(ServiceConfig.STATIC)) {
            s.problem(p + "discovery", discovery, "static or consul");
        }
        List<URI> instances = new ArrayList<>();
        List<String> listed = s.list(p + "instances");
        for (String v : listed) {
            URI u = s.uri(p + "instances", v, SCHEMES);
            if (u != null) {
                instances.add(u);
            }
        }
        List<Integer> weights = weights(s, p + "weights", listed.size());
        ConsulServiceConfig consulConfig = null;
        if (consul) {
            if (!listed.isEmpty()) {
                s.problem(p + "instances", s.string(p + "instances"), "no instances with discovery = consul "
                        + "(they come from Consul)");
            }
            if (s.string(p + "weights") != null) {
                s.problem(p + "weights", s.string(p + "weights"), "no weights with discovery = consul "
                        + "(they come from Service.Weights)");
            }
            consulConfig = consulService(s, p + "consul.", name);
        } else {
            if (listed.isEmpty()) {
                s.problem(p + "instances", null, "a comma-separated list of base URIs (e.g. http://10.0.0.5:8080)");
            }
            s.under(p + "consul.").forEach((k, v) ->
                    s.problem(p + "consul." + k, v, "consul settings only with discovery = consul"));
        }
        LoadBalancing lb = loadBalancer(s, p + "load-balancer",
                consul ? LoadBalancing.LEAST_REQUEST : LoadBalancing.ROUND_ROBIN);
        PassiveHealthConfig health = passiveHealth(s, p + "passive-health.", healthDefaults);
        return new ServiceConfig(name, discovery, instances, lb, weights, consulConfig, health,
                ResilienceConfigs.service(s, p, resilience),
                HealthCheckConfigs.healthCheck(s, p + "health-check."));
    }

    private static ConsulServiceConfig consulService(Settings s, String p, String name) {
        String service = s.string(p + "service", name);
        if (!CONSUL_NAME.matcher(service).matches()) {
            s.problem(p + "service", service, "a Consul service name (letters, digits, - _ .)");
        }
        List<String> tags = s.list(p + "tags");
        for (String t : tags) {
            if (!TAG.matcher(t).matches()) {
                s.problem(p + "tags", t, "tags without spaces");
            }
        }
        String dc = s.string(p + "datacenter");
        if (dc != null && !CONSUL_NAME.matcher(dc).matches()) {
            s.problem(p + "datacenter", dc, "a datacenter name (letters, digits, - _ .)");
        }
        String scheme = s.string(p + "scheme", "http");
        if (!SCHEMES.contains(scheme)) {
            s.problem(p + "scheme", scheme, "http or https");
        }
        return new ConsulServiceConfig(service, tags, dc, scheme);
    }

    private static List<Integer> weights(Settings s, String key, int instances) {
        List<String> raw = s.list(key);
        if (raw.isEmpty()) {
            return Collections.nCopies(instances, 1);
        }
        List<Integer> out = new ArrayList<>();
        for (String w : raw) {
            try {
                int n = Integer.parseInt(w);
                if (n >= 1 && n <= 1000) {
                    out.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            s.problem(key, s.string(key), "whole numbers from 1 to 1000, one per instance");
            return Collections.nCopies(instances, 1);
        }
        if (out.size() != instances && instances > 0) {
            s.problem(key, s.string(key), "one weight per instance (" + instances + ")");
            return Collections.nCopies(instances, 1);
        }
        return out;
    }

    /** The balancer under {@code key}, or {@code fallback} when absent or unknown (null allowed for routes). */
    static LoadBalancing loadBalancer(Settings s, String key, LoadBalancing fallback) {
        LoadBalancing lb = s.choice(key, LoadBalancing.values(), fallback, LoadBalancing::label);
        return lb == null ? fallback : lb;
    }
}
