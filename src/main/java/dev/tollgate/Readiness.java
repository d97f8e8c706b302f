package dev.tollgate;

import dev.tollgate.discovery.InstanceSnapshot;
import dev.tollgate.discovery.ServiceView;
import dev.tollgate.observability.HealthCheck;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The checks behind the readiness endpoint: draining, discovery (of the current runtime) and Redis. Stateless. */
final class Readiness {
    private Readiness() {
    }

    /**
     * Ready when every service has a snapshot with instances; a stale one (Consul unreachable) still serves and
     * is named with its age in the detail.
     */
    private static HealthCheck.Status discoveryStatus(Gateway gateway) {
        List<String> empty = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        Instant now = gateway.clock().instant();
        ServiceView services = gateway.runtime().services();
        for (String service : new TreeSet<>(services.names())) {
            InstanceSnapshot s = services.snapshot(service);
            if (s == null || s.instances().isEmpty()) {
                empty.add(service);
            } else if (s.stale()) {
                stale.add(service + " (" + s.age(now).toSeconds() + " s old)");
            }
        }
        if (!empty.isEmpty()) {
            return HealthCheck.Status.down("no instances known for " + empty);
        }
        return HealthCheck.Status.up(services.names().size() + " services with instances"
                + (stale.isEmpty() ? "" : "; stale, Consul unreachable: " + stale));
    }

    /** The checks behind the readiness endpoint; each concern with a backing service adds its own here. */
    static List<HealthCheck> checks(Gateway gateway) {
        Redis redis = gateway.redis();
        List<HealthCheck> checks = new ArrayList<>();
        checks.add(new HealthCheck("draining", () -> gateway.drainGate().isDraining()
                ? HealthCheck.Status.down("shutting down") : HealthCheck.Status.up("accepting requests")));
        checks.add(new HealthCheck("discovery", () -> discoveryStatus(gateway)));
        if (redis != null) {
            checks.add(new HealthCheck("redis", () -> {
                try {
                    redis.call(j -> j.ping());
                    return HealthCheck.Status.up("PING answered");
                } catch (RedisUnavailableException e) {
                    // every use of Redis has its fallback: taking every instance out of rotation would turn a
                    // Redis outage into a gateway outage
                    return HealthCheck.Status.degraded("PING failed; rate limits follow their failure-policy, "
                            + "tokens are verified without the shared cache");
                }
            }));
        }
        return List.copyOf(checks);
    }
}
