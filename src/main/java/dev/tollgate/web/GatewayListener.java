package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and validates the configuration when the WAR starts, builds the {@link Gateway} once, and closes it
 * (draining in-flight requests) when the WAR stops. An invalid configuration fails the deployment.
 */
public final class GatewayListener implements ServletContextListener {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayListener.class);
    private static final String ATTRIBUTE = Gateway.class.getName();
    private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|token|api-key|credential).*");
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@]*@");

    public static Gateway gateway(ServletContext ctx) {
        return (Gateway) ctx.getAttribute(ATTRIBUTE);
    }

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        ServletContext ctx = sce.getServletContext();
        Map<String, String> system = new HashMap<>();
        System.getProperties().forEach((k, v) -> system.put(k.toString(), v.toString()));
        GatewayConfig config;
        try {
            config = ConfigLoader.load(ctx.getInitParameter(ConfigLoader.CONFIG_KEY), ctx::getResourceAsStream,
                    system, System.getenv());
        } catch (ConfigException e) {
            LOG.error("start-up: {}", e.getMessage());
            throw e;
        }
        LOG.info("start-up: {} routes, {} services; effective configuration: {}", config.routes().size(),
                config.services().size(), masked(config.effective()));
        ctx.setAttribute(ATTRIBUTE, new Gateway(config));
    }

    private static String masked(Map<String, String> effective) {
        StringJoiner out = new StringJoiner(", ", "{", "}");
        new TreeMap<>(effective).forEach((k, v) -> out.add(k + "=" + (SECRET.matcher(k).matches() ? "****" : USER_INFO.matcher(v).replaceFirst("****@"))));
        return out.toString();
    }

    @Override
    public void contextDestroyed(ServletContextEvent sce) {
        Gateway g = gateway(sce.getServletContext());
        if (g != null) {
            sce.getServletContext().removeAttribute(ATTRIBUTE);
            g.close();
        }
    }
}
