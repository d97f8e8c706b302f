package dev.tollgate.config;

import java.net.URI;
import java.util.List;

/**
 * An upstream service: where its instances come from and how one is picked.
 *
 * @param name the service name routes refer to
 * @param discovery {@code static}: the instances are listed here
 * @param instances base URIs ({@code http://host:port}) of the instances
 * @param loadBalancer {@code round-robin}
 * @param resilience breaker, bulkhead and retries
 */
public record ServiceConfig(String name, String discovery, List<URI> instances, String loadBalancer,
                            ResilienceConfig resilience) {
    public ServiceConfig {
        instances = List.copyOf(instances);
    }
}
