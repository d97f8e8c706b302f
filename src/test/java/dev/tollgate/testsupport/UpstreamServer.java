package dev.tollgate.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real HTTP/1.1 upstream on a free loopback port (Jetty core, no servlet), used by tests, the demo and the
 * benchmark. What it does is chosen by the path:
 * <ul>
 *   <li>{@code /status/NNN}: answers that status with a short body;</li>
 *   <li>{@code /download?size=N[&chunked=1]}: streams N deterministic bytes (see {@link Bytes});</li>
 *   <li>{@code /slow?ms=N}: waits N ms, then echoes;</li>
 *   <li>{@code /truncate[?chunked=1]}: promises 1000 bytes (or a chunked body), sends 10 and drops the
 *   connection;</li>
 *   <li>{@code /cookies}: two {@code Set-Cookie}, a {@code Location} and repeated {@code X-Multi};</li>
 *   <li>{@code /hop}: response hop-by-hop headers, including one named by {@code Connection};</li>
 *   <li>{@code /healthz}: a health endpoint the test controls: the status of {@link #health(int)} (200 until
 *   told), after the delay of {@link #healthDelay(long)} (none until told);</li>
 *   <li>anything else: echoes method, raw target, headers and the body's SHA-256 and length as JSON.</li>
 * </ul>
 * On any path, each query parameter {@code h=Name:value} adds that header to the response (e.g.
 * {@code h=Cache-Control:private}).
 * Every request is recorded for assertions. Thread-safe.
 */
public final class UpstreamServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the upstream saw it. */
    public record Seen(String method, String target, List<String[]> headers) {
        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final String name;
    private volatile int healthStatus = 200;
    private volatile long healthDelayMillis;

    public UpstreamServer(String name) throws Exception {
        this(name, 0);
    }

    public UpstreamServer(String name, int port) throws Exception {
        this.name = name;
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("upstream-" + name);
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return serve(request, response, callback);
            }
        });
        server.start();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public String uri() {
        return "http://127.0.0.1:" + port();
    }

    /** The status {@code /healthz} answers from now on. */
    public void health(int status) {
        healthStatus = status;
    }

    /** How long {@code /healthz} waits before it answers, from now on. */
    public void healthDelay(long millis) {
        healthDelayMillis = millis;
    }

    /** Requests to {@code /healthz} so far, among the recorded ones. */
    public long healthChecks() {
        return seen.stream().filter(r -> r.target().startsWith("/healthz")).count();
    }

    public int count() {
        return count.get();
    }

    public List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    /** The most recent request. */
    public Seen last() {
        Seen last = null;
        for (Seen s : seen) {
            last = s;
        }
        return last;
    }

    private boolean serve(Request request, Response response, Callback callback) throws Exception {
        count.incrementAndGet();
        List<String[]> headers = new ArrayList<>();
        for (HttpField f : request.getHeaders()) {
            headers.add(new String[] {f.getName(), f.getValue()});
        }
        String target = request.getHttpURI().getPathQuery();
        seen.add(new Seen(request.getMethod(), target, headers));
        if (seen.size() > 1000) {
            seen.poll();
        }
        String path = request.getHttpURI().getPath();
        Fields query = Request.extractQueryParameters(request);
        response.getHeaders().put("X-Upstream", name);
        for (String h : query.getValuesOrEmpty("h")) {
            int colon = h.indexOf(':');
            response.getHeaders().add(h.substring(0, colon), h.substring(colon + 1).trim());
        }
        if (path.startsWith("/status/")) {
            int status = Integer.parseInt(path.substring(8, 11));
            drain(request);
            response.setStatus(status);
            response.write(true, ByteBuffer.wrap(("status " + status + " from " + name).getBytes()), callback);
            return true;
        }
        switch (path) {
            case "/download":
                download(response, Long.parseLong(query.getValue("size")), query.get("chunked") != null, callback);
                return true;
            case "/truncate":
                drain(request);
                if (query.get("chunked") == null) {
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 1000);
                }
                response.write(false, ByteBuffer.wrap("0123456789".getBytes()), Callback.from(
                        () -> callback.failed(new java.io.IOException("truncated on purpose")), callback::failed));
                return true;
            case "/cookies":
                drain(request);
                response.setStatus(302);
                response.getHeaders().add("Set-Cookie", "a=1; Path=/; HttpOnly");
                response.getHeaders().add("Set-Cookie", "b=\"two words\"; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
                response.getHeaders().add("Location", "http://internal.example:8080/next?x=%2F&y=1");
                response.getHeaders().add("X-Multi", "one");
                response.getHeaders().add("X-Multi", "two");
                response.write(true, ByteBuffer.allocate(0), callback);
                return true;
            case "/hop":
                drain(request);
                response.getHeaders().put("Connection", "X-Secret-Hop");
                response.getHeaders().put("X-Secret-Hop", "leak");
                response.getHeaders().put("Keep-Alive", "timeout=5");
                response.getHeaders().put("Proxy-Authenticate", "Basic");
                response.getHeaders().put("X-End-To-End", "kept");
                response.write(true, ByteBuffer.wrap("hop".getBytes()), callback);
                return true;
            case "/healthz":
                drain(request);
                if (healthDelayMillis > 0) {
                    Thread.sleep(healthDelayMillis);
                }
                response.setStatus(healthStatus);
                response.write(true, ByteBuffer.wrap(("health of " + name).getBytes()), callback);
                return true;
            case "/slow":
                Thread.sleep(Long.parseLong(query.getValue("ms")));
                echo(request, response, callback, target, headers);
                return true;
            default:
                echo(request, response, callback, target, headers);
                return true;
        }
    }

    private void echo(Request request, Response response, Callback callback, String target, List<String[]> headers)
            throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
                length += n;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("upstream", name);
        body.put("method", request.getMethod());
        body.put("target", target);
        body.put("headers", headers);
        body.put("bodyLength", length);
        body.put("bodySha256", HexFormat.of().formatHex(sha.digest()));
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static void download(Response response, long size, boolean chunked, Callback callback) {
        if (!chunked) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            Bytes.write(out, size);
            callback.succeeded();
        } catch (Throwable t) {
            callback.failed(t);
        }
    }

    private static void drain(Request request) throws Exception {
        try (InputStream in = Content.Source.asInputStream(request)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
