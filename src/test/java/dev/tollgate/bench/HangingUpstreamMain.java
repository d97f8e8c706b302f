package dev.tollgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The stuck upstream of {@code bench/stuck.sh}: an HTTP server on 127.0.0.1 that accepts every connection and
 * reads (and discards) whatever arrives, but never answers, so that each request to it waits until the gateway's
 * response timeout. One selector thread serves every connection; a connection is closed only when its peer
 * closes it. Runs until the process is stopped; prints a line starting with {@code READY}, and writes the number
 * of connections open now and accepted in all to the given file once a second.
 *
 * <p>Usage: {@code HangingUpstreamMain <port> <stats file>}.
 */
public final class HangingUpstreamMain {
    private HangingUpstreamMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: HangingUpstreamMain <port> <stats file>");
            System.exit(2);
        }
        Path stats = Path.of(args[1]);
        Path tmp = Path.of(args[1] + ".tmp");
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 4096);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("READY hanging-upstream http://127.0.0.1:" + server.socket().getLocalPort()
                    + " (never answers)");
            ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
            long open = 0;
            long accepted = 0;
            long nextReport = 0;
            while (true) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel client;
                        while ((client = server.accept()) != null) {
                            client.configureBlocking(false);
                            client.register(selector, SelectionKey.OP_READ);
                            open++;
                            accepted++;
                        }
                    } else if (key.isReadable() && !drain((SocketChannel) key.channel(), sink)) {
                        key.cancel();
                        key.channel().close();
                        open--;
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - nextReport >= 0) {
                    Files.writeString(tmp, "open " + open + " accepted " + accepted + "\n");
                    Files.move(tmp, stats, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    nextReport = now + 1_000_000_000L;
                }
            }
        }
    }

    /** Reads what is there and drops it; false once the peer has closed its side (or reset the connection). */
    private static boolean drain(SocketChannel channel, ByteBuffer sink) {
        try {
            int n;
            do {
                sink.clear();
                n = channel.read(sink);
            } while (n > 0);
            return n == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
