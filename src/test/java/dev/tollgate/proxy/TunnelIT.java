package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.Lease;
import dev.tollgate.discovery.Services;
import dev.tollgate.route.Route;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link Tunnel} between a real loopback upstream connection and a client side that this test drives: whether
 * the client takes writes is decided here, so a read paused for a slow client is made to happen every time.
 */
class TunnelIT {
    private ServerSocketChannel listener;
    private SocketChannel upstreamSide;
    private SocketChannel gatewaySide;
    private Services services;
    private ScheduledExecutorService scheduler;
    private Tunnels tunnels;
    private RequestHead head;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = listener.socket().getLocalPort();
        gatewaySide = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        upstreamSide = listener.accept();
        GatewayConfig config = Configs.of("gateway.services.ws.instances = http://127.0.0.1:" + port,
                "gateway.routes.chat.path = /chat/**", "gateway.routes.chat.service = ws",
                "gateway.routes.chat.websocket = true");
        services = new Services(config.upstreams().services(), config.upstreams().consul(), Clock.systemUTC());
        scheduler = Executors.newSingleThreadScheduledExecutor();
        tunnels = new Tunnels(scheduler, System::nanoTime);
        head = new RequestHead("GET", "/chat/x", null, List.of(), List.of(),
                new RequestHead.Peer("127.0.0.1", "http", "gw", 8080, "HTTP/1.1", false, "127.0.0.1"),
                new Route(config.routes().get(0)), "req-tunnel",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @AfterEach
    void close() throws IOException {
        tunnels.close();
        scheduler.shutdownNow();
        services.close();
        upstreamSide.close();
        gatewaySide.close();
        listener.close();
    }

    private Lease lease() {
        Lease lease = services.choose("ws", null, Set.of());
        assertThat(lease).as("the static instance").isNotNull();
        return lease;
    }

    /**
     * Bytes that came with the upstream's {@code 101}, while the client does not yet take writes: once it does,
     * they are written, though the upstream sends nothing more that could announce them.
     */
    @Test
    void bytesThatCameWithTheSwitchReachTheClientOnceItTakesWrites() throws Exception {
        Side client = new Side(false);
        Tunnel t = new Tunnel(tunnels, gatewaySide, "first words".getBytes(StandardCharsets.UTF_8), lease(), head);
        t.attach(client);
        t.start();
        assertThat(Poll.until(Duration.ofSeconds(5), () -> client.asked.get()))
                .as("the tunnel tried to write to the client").isTrue();
        Thread.sleep(200); // the selector thread has nothing else to do: nothing may be written meanwhile
        assertThat(client.received()).isEmpty();

        client.writable.set(true);
        t.clientWritable();

        assertThat(Poll.until(Duration.ofSeconds(5), () -> client.received().equals("first words")))
                .as("received: " + client.received()).isTrue();
        assertThat(t.isClosed()).isFalse();
    }

    /** A read paused for a slow client goes on with what the upstream sent meanwhile. */
    @Test
    void aReadPausedForASlowClientResumes() throws Exception {
        Side client = new Side(false);
        Tunnel t = new Tunnel(tunnels, gatewaySide, new byte[0], lease(), head);
        t.attach(client);
        t.start();
        upstreamSide.write(ByteBuffer.wrap("later words".getBytes(StandardCharsets.UTF_8)));
        assertThat(Poll.until(Duration.ofSeconds(5), () -> client.asked.get())).isTrue();

        client.writable.set(true);
        t.clientWritable();

        assertThat(Poll.until(Duration.ofSeconds(5), () -> client.received().equals("later words")))
                .as("received: " + client.received()).isTrue();
    }

    /** The client side as a container would offer it: writable or not as the test says, nothing to read. */
    private static final class Side implements Tunnel.Client {
        final AtomicBoolean writable;
        final AtomicBoolean asked = new AtomicBoolean();
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();

        Side(boolean writable) {
            this.writable = new AtomicBoolean(writable);
        }

        synchronized String received() {
            return written.toString(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isWritable() {
            asked.set(true);
            return writable.get();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            written.write(b, off, len);
        }

        @Override
        public boolean isReadable() {
            return false;
        }

        @Override
        public int read(byte[] b) {
            return 0;
        }

        @Override
        public void close() {
            // nothing to release
        }
    }
}
