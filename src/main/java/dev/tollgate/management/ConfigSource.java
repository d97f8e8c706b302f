package dev.tollgate.management;

import dev.tollgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where the configuration comes from, to read it again on a reload.
 *
 * @param description the external file (or "defaults only"), for operators
 * @param file the external file on the file system that {@code gateway.config.watch} follows, or null when the
 *             configuration has none (defaults only, or a file inside the WAR)
 * @param loader loads and validates the configuration from the same sources as at start-up; throws
 *               {@link dev.tollgate.config.ConfigException} listing every problem
 */
public record ConfigSource(String description, Path file, Supplier<GatewayConfig> loader) {
    /** A source without a file to watch. */
    public ConfigSource(String description, Supplier<GatewayConfig> loader) {
        this(description, null, loader);
    }
}
