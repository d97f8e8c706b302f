package dev.tollgate.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays a Consul agent's health endpoint for tests, so that they need no Consul installed. A real HTTP server
 * (the JDK's {@code HttpServer}) on a loopback port that keeps to the documented contract of:
 * <ul>
 *   <li>Health HTTP API, "List Service Instances for Service":
 *   {@code GET /v1/health/service/:service} with {@code passing} (only instances whose checks all pass),
 *   {@code tag} (repeatable, all must match), {@code dc} (another datacenter answers 500 "No path to datacenter"),
 *   and the entry shape {@code [{Node:{Node,Address,Datacenter}, Service:{ID,Service,Tags,Address,Port,
 *   Weights:{Passing,Warning}}, Checks:[{CheckID,Status,ServiceID}]}]}
 *   (developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service);</li>
 *   <li>Blocking queries: a request with {@code index} is held until the service's index exceeds it or
 *   {@code wait} (Go duration syntax, default 5m, at most 10m) has passed; every answer carries
 *   {@code X-Consul-Index} (developer.hashicorp.com/consul/api-docs/features/blocking);</li>
 *   <li>ACL tokens: when the server has a token, a request must present it in {@code X-Consul-Token} (or
 *   {@code Authorization: Bearer}, or {@code ?token=}), otherwise 403 "ACL not found"
 *   (developer.hashicorp.com/consul/api-docs/api-structure#authentication).</li>
 * </ul>
 * It leaves out: every other endpoint (404), the random extra wait of up to wait/16 Consul adds, consistency modes
 * ({@code stale}, {@code consistent}), {@code filter} expressions, {@code near}, {@code node-meta}, the
 * {@code X-Consul-KnownLeader}/{@code LastContact} semantics (sent as constants), agent caching, and Consul's
 * own health checking: tests set a check's status directly. Each service has its own index, raised on every
 * change to it. {@link #stop()} closes the port and drops held queries the way a killed agent would;
 * {@link #start()} opens the same port again. Thread-safe.
 */
public final class FakeConsul implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile("/v1/health/service/([^/?]+)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** One registered service instance. */
    private record Registration(String service, String id, String address, String nodeAddress, int port,
                                List<String> tags, int weight, String status) {
    }

    private final String datacenter;
    private final String token;
    private final Map<String, Registration> byId = new LinkedHashMap<>();
    private final Map<String, Long> indexes = new HashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> queries = new ArrayList<>();
    private long lastIndex = 10;
    private int port;
    private HttpServer server;
    private ExecutorService executor;
    private boolean running;

    /** A server for datacenter {@code dc1} without ACLs, on a free port. */
    public FakeConsul() throws IOException {
        this("dc1", null);
    }

    /** @param token the ACL token every request must present, or null for no ACLs */
    public FakeConsul(String datacenter, String token) throws IOException {
        this.datacenter = datacenter;
        this.token = token;
        start();
    }

    /** Opens the port (the same one after a {@link #stop()}). */
    public synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        port = server.getAddress().getPort();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-consul");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        running = true;
    }

    /** Closes the port and drops every held query, as a stopped agent would. */
    public void stop() {
        HttpServer s;
        synchronized (this) {
            running = false;
            notifyAll();
            s = server;
        }
        s.stop(0);
        executor.shutdownNow();
    }

    public int port() {
        return port;
    }

    /** The address to configure as {@code gateway.consul.address}. */
    public String address() {
        return "http://127.0.0.1:" + port;
    }

    /** Registers (or replaces) a passing instance with weight 1 and the service address 127.0.0.1. */
    public void register(String service, String id, int port, String... tags) {
        register(service, id, "127.0.0.1", "127.0.0.1", port, 1, tags);
    }

    /**
     * Registers (or replaces) a passing instance.
     *
     * @param address {@code Service.Address}, may be empty (then clients use the node's address)
     * @param nodeAddress {@code Node.Address}
     */
    public synchronized void register(String service, String id, String address, String nodeAddress, int port,
                                      int weight, String... tags) {
        byId.put(id, new Registration(service, id, address, nodeAddress, port, List.of(tags), weight, "passing"));
        changed(service);
    }

    public synchronized void deregister(String id) {
        Registration r = byId.remove(id);
        if (r != null) {
            changed(r.service());
        }
    }

    /** Sets the status of the instance's service check: {@code passing}, {@code warning} or {@code critical}. */
    public synchronized void health(String id, String status) {
        Registration r = byId.get(id);
        byId.put(id, new Registration(r.service(), id, r.address(), r.nodeAddress(), r.port(), r.tags(), r.weight(),
                status));
        changed(r.service());
    }

    /** Sets a service's index, e.g. lower than before as after a snapshot restore, and wakes held queries. */
    public synchronized void forceIndex(String service, long index) {
        indexes.put(service, index);
        notifyAll();
    }

    public int requests() {
        return requests.get();
    }

    /** The raw query strings received, in order. */
    public synchronized List<String> queries() {
        return new ArrayList<>(queries);
    }

    private void changed(String service) {
        indexes.put(service, ++lastIndex);
        notifyAll();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try {
            Matcher m = PATH.matcher(ex.getRequestURI().getRawPath());
            if (!m.matches()) {
                send(ex, 404, "text/plain", "404 page not found", 0);
                return;
            }
            if (!ex.getRequestMethod().equals("GET")) {
                send(ex, 405, "text/plain", "method not allowed", 0);
                return;
            }
            Map<String, List<String>> q = query(ex.getRequestURI().getRawQuery());
            synchronized (this) {
                queries.add(ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
            }
            if (token != null && !token.equals(presented(ex, q))) {
                send(ex, 403, "text/plain", "ACL not found", 0);
                return;
            }
            String dc = first(q, "dc");
            if (dc != null && !dc.equals(datacenter)) {
                send(ex, 500, "text/plain", "No path to datacenter", 0);
                return;
            }
            String service = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            long index = first(q, "index") == null ? 0 : Long.parseLong(first(q, "index"));
            long waitMillis = Math.min(wait(first(q, "wait")), 600_000);
            List<Object> body;
            long current;
            synchronized (this) {
                long deadline = System.currentTimeMillis() + waitMillis;
                while (running && index > 0 && indexOf(service) <= index && System.currentTimeMillis() < deadline) {
                    wait(Math.max(1, deadline - System.currentTimeMillis()));
                }
                if (!running) {
                    return; // dropped without an answer, as by a stopped agent
                }
                current = indexOf(service);
                body = entries(service, q.containsKey("passing") && !"false".equals(first(q, "passing")),
                        q.getOrDefault("tag", List.of()));
            }
            send(ex, 200, "application/json", JSON.writeValueAsString(body), current);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private long indexOf(String service) {
        return indexes.getOrDefault(service, 1L);
    }

    private List<Object> entries(String service, boolean passingOnly, List<String> tags) {
        List<Object> out = new ArrayList<>();
        for (Registration r : byId.values()) {
            if (!r.service().equals(service) || passingOnly && !r.status().equals("passing")
                    || !r.tags().containsAll(tags)) {
                continue;
            }
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("ID", "0e5d6c0a-0000-4000-8000-00000000000" + Math.abs(r.nodeAddress().hashCode() % 10));
            node.put("Node", "node-" + r.nodeAddress());
            node.put("Address", r.nodeAddress());
            node.put("Datacenter", datacenter);
            Map<String, Object> svc = new LinkedHashMap<>();
            svc.put("ID", r.id());
            svc.put("Service", r.service());
            svc.put("Tags", r.tags());
            svc.put("Address", r.address());
            svc.put("Port", r.port());
            svc.put("Weights", Map.of("Passing", r.weight(), "Warning", 1));
            List<Object> checks = List.of(
                    Map.of("Node", node.get("Node"), "CheckID", "serfHealth", "Status", "passing", "ServiceID", ""),
                    Map.of("Node", node.get("Node"), "CheckID", "service:" + r.id(), "Status", r.status(),
                            "ServiceID", r.id()));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Node", node);
            entry.put("Service", svc);
            entry.put("Checks", checks);
            out.add(entry);
        }
        return out;
    }

    private static String presented(HttpExchange ex, Map<String, List<String>> q) {
        String h = ex.getRequestHeaders().getFirst("X-Consul-Token");
        if (h != null) {
            return h;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            return auth.substring(7);
        }
        return first(q, "token");
    }

    private static long wait(String v) {
        if (v == null) {
            return 300_000;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            return 300_000;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return n;
            case "s": return n * 1000;
            case "m": return n * 60_000;
            default: return n * 3_600_000;
        }
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, String body, long index) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        if (index > 0) {
            ex.getResponseHeaders().set("X-Consul-Index", Long.toString(index));
            ex.getResponseHeaders().set("X-Consul-KnownLeader", "true");
            ex.getResponseHeaders().set("X-Consul-LastContact", "0");
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
