package dev.tollgate.config;

import java.net.URI;
import java.util.List;

/**
 * An upstream service: where its instances come from and how one is picked.
 *
 * @param name the service name routes refer to
 * @param discovery where the instances come from
 * @param instances base URIs ({@code http://host:port}) of the instances; empty for {@code consul}
 * @param loadBalancer how an instance is picked
 * @param weights the static instances' weights, one per instance (all 1 unless configured); empty for consul
 * @param consul where to find the instances in Consul; null for {@code static}
 * @param passiveHealth when an instance that keeps failing is set aside
 * @param resilience breaker, bulkhead and retries
 * @param healthCheck the active health check of the instances, or null for none
 */
public record ServiceConfig(String name, Discovery discovery, List<URI> instances, LoadBalancing loadBalancer,
                            List<Integer> weights, ConsulServiceConfig consul, PassiveHealthConfig passiveHealth,
                            ResilienceConfig resilience, HealthCheckConfig healthCheck) {
    public ServiceConfig {
        instances = List.copyOf(instances);
        weights = List.copyOf(weights);
    }

    public boolean isConsul() {
        return discovery == Discovery.CONSUL;
    }

    /** Where a service's instances come from ({@code gateway.services.<name>.discovery}). */
    public enum Discovery {
        /** {@code static}: the instances are listed in the configuration. */
        STATIC("static"),
        /** {@code consul}: the instances are read from Consul. */
        CONSUL("consul");

        private final String label;

        Discovery(String label) {
            this.label = label;
        }

        /** The configuration's name for it. */
        public String label() {
            return label;
        }
    }
}
