package dev.tollgate.bench;

import dev.tollgate.testsupport.RedisCluster;
import dev.tollgate.testsupport.RedisServer;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The fleet benchmark's Redis ({@code bench/fleet.sh}): one redis-server ({@code single}) or a 3-master Redis
 * Cluster ({@code cluster}), built the way the tests build them ({@link RedisServer}, {@link RedisCluster}: the
 * bundled redis-server, persistence off). Prints {@code READY <port>...} and runs until the process is stopped,
 * which stops the servers.
 */
public final class FleetRedisMain {
    private FleetRedisMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].matches("single|cluster")) {
            System.err.println("usage: FleetRedisMain single|cluster");
            System.exit(2);
        }
        AutoCloseable servers;
        List<Integer> ports;
        if (args[0].equals("single")) {
            RedisServer server = RedisServer.startNew();
            servers = server;
            ports = List.of(server.port());
        } else {
            RedisCluster cluster = RedisCluster.startNew();
            servers = cluster;
            ports = cluster.ports();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                servers.close();
            } catch (Exception e) {
                System.err.println("stopping Redis: " + e);
            }
            stopped.countDown();
        }));
        StringBuilder line = new StringBuilder("READY");
        ports.forEach(p -> line.append(' ').append(p));
        System.out.println(line);
        stopped.await();
    }
}
