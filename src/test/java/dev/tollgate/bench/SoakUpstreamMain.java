package dev.tollgate.bench;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One upstream instance of {@code bench/soak.sh}: an HTTP/1.1 server on 127.0.0.1 (Jetty core) that reads each
 * request's body to its end and answers 200 with the request's {@code X-Request-Id} echoed twice, in the
 * response header {@code X-Echo-Id} and as the first word of the body ({@code <id> <instance> <body bytes>}),
 * so that the soak client can tell an answer meant for another request. The gateway sets the response's own
 * {@code X-Request-Id}, hence the separate header. A request whose body ends early fails here and gets no
 * answer. The script kills, restarts, stops ({@code SIGSTOP}) and resumes this process to make the faults.
 * Runs until the process is stopped; prints a line starting with {@code READY}.
 *
 * <p>Usage: {@code SoakUpstreamMain <port> <instance name>}.
 */
public final class SoakUpstreamMain {
    private SoakUpstreamMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SoakUpstreamMain <port> <instance name>");
            System.exit(2);
        }
        String name = args[1];
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("soak-upstream-" + name);
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                long length = 0;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    byte[] buf = new byte[16384];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        length += n;
                    }
                }
                String id = request.getHeaders().get("X-Request-Id");
                String echo = id == null ? "-" : id;
                byte[] body = (echo + " " + name + " " + length + "\n").getBytes(StandardCharsets.US_ASCII);
                response.getHeaders().put("X-Echo-Id", echo);
                response.getHeaders().put("X-Upstream", name);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.setStopTimeout(1_000);
        server.start();
        System.out.println("READY soak-upstream " + name + " http://127.0.0.1:" + connector.getLocalPort());
        server.join();
    }
}
