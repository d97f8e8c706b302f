package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigSummary;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.management.ConfigSource;
import dev.tollgate.management.ManagementPlane;
import dev.tollgate.resilience.ServiceGuards;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and validates the configuration when the WAR starts, builds the {@link Gateway} once, and closes it
 * (draining in-flight requests) when the WAR stops. An invalid configuration fails the deployment.
 */
public final class GatewayListener implements ServletContextListener {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayListener.class);
    private static final String ATTRIBUTE = Gateway.class.getName();
    private static final String PLANE = ManagementPlane.class.getName();

    public static Gateway gateway(ServletContext ctx) {
        return (Gateway) ctx.getAttribute(ATTRIBUTE);
    }

    static ManagementPlane management(ServletContext ctx) {
        return (ManagementPlane) ctx.getAttribute(PLANE);
    }

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        ServletContext ctx = sce.getServletContext();
        String param = ctx.getInitParameter(ConfigLoader.CONFIG_KEY);
        GatewayConfig config;
        Gateway gateway;
        try {
            config = load(ctx, param);
            LOG.info("start-up: {} routes, {} services; effective configuration (secrets masked) follows",
                    config.routes().size(), config.upstreams().services().size());
            ConfigSummary.lines(config.effective()).forEach(line -> LOG.info("config {}", line));
            gateway = new Gateway(config, Clock.systemUTC());
        } catch (ConfigException e) {
            LOG.error("start-up: {}", e.getMessage());
            throw e;
        }
        ctx.setAttribute(ATTRIBUTE, gateway);
        try {
            startManagement(ctx, param, config, gateway);
        } catch (RuntimeException | Error e) {
            // a container need not call contextDestroyed for a listener whose contextInitialized failed
            LOG.error("start-up: failed ({}); closing the gateway", e.toString());
            contextDestroyed(sce);
            throw e;
        }
    }

    private static void startManagement(ServletContext ctx, String param, GatewayConfig config, Gateway gateway) {
        // a reload reads the same sources again: the file, system properties and environment as they are then
        String location = ConfigLoader.location(param, systemProperties(), System.getenv());
        Path file = location == null || location.startsWith("/WEB-INF/") ? null : Path.of(location);
        ConfigSource source = new ConfigSource(location == null ? "(defaults only)" : location, file,
                () -> load(ctx, param));
        ManagementPlane plane = ManagementPlane.start(gateway, source, gateway.clock());
        ctx.setAttribute(PLANE, plane);
        plane.watch(config.operations().watchConfig());
    }

    private static GatewayConfig load(ServletContext ctx, String param) {
        return ConfigLoader.load(param, ctx::getResourceAsStream, systemProperties(), System.getenv());
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> system = new HashMap<>();
        System.getProperties().forEach((k, v) -> system.put(k.toString(), v.toString()));
        return system;
    }

    @Override
    public void contextDestroyed(ServletContextEvent sce) {
        Gateway g = gateway(sce.getServletContext());
        ManagementPlane plane = (ManagementPlane) sce.getServletContext().getAttribute(PLANE);
        if (plane != null) {
            plane.watch(false);
        }
        if (g != null) {
            sce.getServletContext().removeAttribute(ATTRIBUTE);
            sce.getServletContext().removeAttribute(PLANE);
            g.close();
        }
        ServiceGuards.stopTimer(); // SmallRye's timer thread lives as long as this WAR's class loader
    }
}
