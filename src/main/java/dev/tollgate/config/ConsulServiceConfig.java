package dev.tollgate.config;

import java.util.List;

/**
 * How one gateway service is looked up in Consul ({@code gateway.services.<name>.consul.*}).
 *
 * @param service the Consul service name (defaults to the gateway's service name)
 * @param tags only instances carrying all of these tags
 * @param datacenter the Consul datacenter to ask, or null for the agent's own (or the global setting)
 * @param scheme {@code http} or {@code https} for instances without a {@code https}/{@code http} tag
 */
public record ConsulServiceConfig(String service, List<String> tags, String datacenter, String scheme) {
    public ConsulServiceConfig {
        tags = List.copyOf(tags);
    }
}
