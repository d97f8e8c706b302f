package dev.tollgate.config;

import java.util.List;

/**
 * The admin endpoints (Prometheus scrape, health, details) under {@code gateway.admin.}.
 *
 * @param enabled serve them at all
 * @param port the local port (a connector of its own, e.g. bound to 127.0.0.1) on which they answer; 0: any port
 * @param allowedAddresses the TCP peers (never a forwarding header) allowed to call them
 * @param token the bearer token every admin call must present; never logged
 * @param path the path prefix of the admin endpoints, reserved: no route ever forwards it
 */
public record AdminConfig(boolean enabled, int port, List<Cidr> allowedAddresses, String token, String path) {
    public AdminConfig {
        allowedAddresses = List.copyOf(allowedAddresses);
    }

    @Override
    public String toString() {
        return "AdminConfig[enabled=" + enabled + ", port=" + port + ", path=" + path + ", token=****]";
    }
}
