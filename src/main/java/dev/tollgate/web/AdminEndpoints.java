package dev.tollgate.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.Gateway;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.RouteConfig;
import dev.tollgate.management.ManagementPlane;
import dev.tollgate.observability.HealthCheck;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.pool.PoolStats;

/**
 * The admin endpoints behind {@link AdminFilter}: {@code /metrics} (Prometheus text format 0.0.4),
 * {@code /health/live}, {@code /health/ready} (503 unless every readiness check is up) and {@code /info}
 * (JSON details). Thread-safe.
 */
final class AdminEndpoints {
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Gateway gateway;
    private final ManagementPlane plane;

    AdminEndpoints(Gateway gateway, ManagementPlane plane) {
        this.gateway = gateway;
        this.plane = plane;
    }

    /** Answers the endpoint; false when there is no such endpoint. */
    boolean serve(String endpoint, HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.setHeader("Cache-Control", "no-store");
        switch (endpoint) {
            case "/metrics":
                res.setContentType(PROMETHEUS_TYPE);
                if (!"HEAD".equals(req.getMethod())) {
                    OutputStream out = res.getOutputStream();
                    gateway.metrics().scrape(out);
                }
                return true;
            case "/health/live":
                json(req, res, 200, Map.of("status", "UP"));
                return true;
            case "/health/ready": {
                Map<String, Object> checks = checks();
                boolean up = checks.values().stream().noneMatch(c -> "DOWN".equals(((Map<?, ?>) c).get("status")));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", up ? "UP" : "DOWN");
                body.put("checks", checks);
                json(req, res, up ? 200 : 503, body);
                return true;
            }
            case "/info":
                json(req, res, 200, info());
                return true;
            default:
                return false;
        }
    }

    private Map<String, Object> checks() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (HealthCheck check : gateway.readiness()) {
            HealthCheck.Status s = check.run();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("status", s.name());
            c.put("detail", s.detail());
            out.put(check.name(), c);
        }
        return out;
    }

    private Map<String, Object> info() {
        GatewayConfig config = gateway.config();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inFlight", gateway.drainGate().inFlight());
        out.put("draining", gateway.drainGate().isDraining());
        out.put("configSource", plane.getConfigSource());
        out.put("lastReload", plane.getLastReload());
        List<Map<String, Object>> routes = new ArrayList<>();
        for (RouteConfig r : config.routes()) {
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("name", r.name());
            route.put("path", r.match().path());
            route.put("service", r.target().description());
            route.put("requests", gateway.metrics().routeTraffic(r.name()).total());
            routes.add(route);
        }
        out.put("routes", routes);
        Map<String, Object> services = new LinkedHashMap<>();
        config.upstreams().services().forEach((name, s) -> services.put(name, Map.of("discovery", s.discovery().label(),
                "instances", s.instances().size(), "requests", gateway.metrics().serviceTraffic(name).total())));
        out.put("services", services);
        PoolStats pool = gateway.client().poolStats();
        out.put("httpClientPool", Map.of("leased", pool.getLeased(), "available", pool.getAvailable(),
                "pending", pool.getPending(), "max", pool.getMax()));
        out.put("accessLog", Map.of("enabled", gateway.accessLog().isEnabled(),
                "written", gateway.accessLog().written(), "dropped", gateway.accessLog().dropped()));
        out.put("readiness", checks());
        return out;
    }

    private static void json(HttpServletRequest req, HttpServletResponse res, int status, Object body)
            throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        res.setStatus(status);
        res.setContentType("application/json");
        res.setContentLength(bytes.length);
        if (!"HEAD".equals(req.getMethod())) {
            res.getOutputStream().write(bytes);
        }
    }
}
