package dev.tollgate.config;

import java.net.URI;
import java.util.List;

/**
 * An upstream service: where its instances come from and how one is picked.
 *
 * @param name the service name routes refer to
 * @param discovery {@code static} (the instances are listed here) or {@code consul} (read from Consul)
 * @param instances base URIs ({@code http://host:port}) of the instances; empty for {@code consul}
 * @param loadBalancer how an instance is picked
 * @param weights the static instances' weights, one per instance (all 1 unless configured); empty for consul
 * @param consul where to find the instances in Consul; null for {@code static}
 * @param passiveHealth when an instance that keeps failing is set aside
 * @param resilience breaker, bulkhead and retries
 * @param healthCheck the active health check of the instances, or null for none
 */
public record ServiceConfig(String name, String discovery, List<URI> instances, LoadBalancing loadBalancer,
                            List<Integer> weights, ConsulServiceConfig consul, PassiveHealthConfig passiveHealth,
                            ResilienceConfig resilience, HealthCheckConfig healthCheck) {
    public static final String STATIC = "static";
    public static final String CONSUL = "consul";

    public ServiceConfig {
        instances = List.copyOf(instances);
        weights = List.copyOf(weights);
    }

    public boolean isConsul() {
        return CONSUL.equals(discovery);
    }
}
