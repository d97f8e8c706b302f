package dev.tollgate.management;

import dev.tollgate.config.GatewayConfig;
import java.util.function.Supplier;

/**
 * Where the configuration comes from, to read it again on a reload.
 *
 * @param description the external file (or "defaults only"), for operators
 * @param loader loads and validates the configuration from the same sources as at start-up; throws
 *               {@link dev.tollgate.config.ConfigException} listing every problem
 */
public record ConfigSource(String description, Supplier<GatewayConfig> loader) {
}
