package dev.tollgate.config;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
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
        String raw = s.text(p + "address");
        URI address = s.uri(p + "address", raw, SCHEMES);
        if (address != null && address.getRawPath() != null && !address.getRawPath().isEmpty()
                && !address.getRawPath().equals("/")) {
            s.problem(p + "address", raw, "the agent's address without a path (e.g. http://127.0.0.1:8500)");
        }
        String dc = s.string(p + "datacenter");
        if (dc != null && !CONSUL_NAME.matcher(dc).matches()) {
            s.problem(p + "datacenter", dc, "a datacenter name (letters, digits, - _ .)");
        }
        Duration wait = s.positiveDuration(p + "wait");
        if (wait.compareTo(Duration.ofMinutes(10)) > 0) {
            s.problem(p + "wait", s.string(p + "wait"), "at most 10m (Consul's limit for blocking queries)");
        }
        Duration full = s.positiveDuration(p + "full-read-interval");
        Duration connect = s.positiveDuration(p + "connect-timeout");
        Duration retryMin = s.positiveDuration(p + "retry-interval");
        Duration retryMax = s.positiveDuration(p + "max-retry-interval");
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

    /** A service's passive-health settings under {@code prefix}, each defaulting to the global one's. */
    static PassiveHealthConfig passiveHealth(Settings s, String prefix, PassiveHealthConfig global) {
        int failures = s.integer(prefix + "consecutive-failures", global.consecutiveFailures(), 1, 1000);
        Duration base = s.positiveDuration(prefix + "base-ejection-time", global.baseEjectionTime());
        Duration max = s.positiveDuration(prefix + "max-ejection-time", global.maxEjectionTime());
        int percent = s.integer(prefix + "max-ejected-percent", global.maxEjectedPercent(), 0, 100);
        return checked(s, prefix, new PassiveHealthConfig(failures, base, max, percent));
    }

    /** The global {@code gateway.passive-health.*} settings every service starts from. */
    static PassiveHealthConfig passiveHealthDefaults(Settings s) {
        String p = "gateway.passive-health.";
        return checked(s, p, new PassiveHealthConfig(s.integer(p + "consecutive-failures", 1, 1000),
                s.positiveDuration(p + "base-ejection-time"), s.positiveDuration(p + "max-ejection-time"),
                s.integer(p + "max-ejected-percent", 0, 100)));
    }

    private static PassiveHealthConfig checked(Settings s, String prefix, PassiveHealthConfig c) {
        if (c.maxEjectionTime().compareTo(c.baseEjectionTime()) < 0) {
            String v = s.string(prefix + "max-ejection-time");
            s.problem(prefix + "max-ejection-time", v == null ? c.maxEjectionTime().toString() : v,
                    "at least the base-ejection-time (" + c.baseEjectionTime().toMillis() + "ms)");
        }
        return c;
    }

    static ServiceConfig service(Settings s, String name, PassiveHealthConfig healthDefaults,
                                 ResilienceConfig resilience) {
        String p = "gateway.services." + name + ".";
        if (!NAME.matcher(name).matches()) {
            s.problem(p.substring(0, p.length() - 1), name, "a name of lower-case letters, digits and -");
        }
        ServiceConfig.Discovery discovery = s.choice(p + "discovery", ServiceConfig.Discovery.values(),
                ServiceConfig.Discovery::label);
        boolean consul = discovery == ServiceConfig.Discovery.CONSUL;
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
        // the default depends on the discovery: one template per kind in the defaults file
        LoadBalancing lb = s.choice(p + "load-balancer", p + "load-balancer" + (consul ? ".consul" : ""),
                LoadBalancing.values(), LoadBalancing::label);
        PassiveHealthConfig health = passiveHealth(s, p + "passive-health.", healthDefaults);
        return new ServiceConfig(name, discovery, instances, lb, weights, consulConfig, health,
                ResilienceConfigs.service(s, p, resilience),
                HealthCheckConfigs.healthCheck(s, p + "health-check."));
    }

    private static ConsulServiceConfig consulService(Settings s, String p, String name) {
        String service = Objects.requireNonNullElse(s.string(p + "service"), name); // by default the same name
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
        String scheme = s.text(p + "scheme");
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
}
