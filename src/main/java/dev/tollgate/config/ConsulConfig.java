package dev.tollgate.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Consul agent the gateway watches ({@code gateway.consul.*}); only used when a service has
 * {@code discovery = consul}.
 *
 * @param address the agent's HTTP API, {@code http://host:8500} or {@code https://host:8501}
 * @param token ACL token sent as {@code X-Consul-Token}, or null
 * @param datacenter default datacenter of every consul service, or null for the agent's own
 * @param blockingWait longest hold of one blocking query
 * @param fullReadInterval a full (non-blocking) re-read happens at least this often, as a safety net
 * @param connectTimeout connect timeout to the agent
 * @param retryMin first pause after a failed query (jittered, doubled per further failure)
 * @param retryMax longest pause between failed queries
 * @param snapshotFile where the last good instances are saved and read at start-up, or null
 */
public record ConsulConfig(URI address, String token, String datacenter, Duration blockingWait,
                           Duration fullReadInterval,
                           Duration connectTimeout, Duration retryMin, Duration retryMax, Path snapshotFile) {
    @Override
    public String toString() {
        return "ConsulConfig[address=" + address + ", token=" + (token == null ? "none" : "****") + ", datacenter="
                + datacenter + ", wait=" + blockingWait + ", fullReadInterval=" + fullReadInterval + ", snapshotFile="
                + snapshotFile + "]";
    }
}
