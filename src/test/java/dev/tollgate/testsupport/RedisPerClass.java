package dev.tollgate.testsupport;

import dev.tollgate.redis.Redis;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server for one test class: started before its first test, running again (a test may have stopped
 * it) and empty before each test, closed after the last. Register it as
 * {@code @RegisterExtension static final RedisPerClass REDIS = new RedisPerClass();}.
 */
public final class RedisPerClass implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private RedisServer server;
    private Redis client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = RedisServer.startNew();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server.start();
        server.command("FLUSHALL");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
            client = null;
        }
        server.close();
    }

    public RedisServer server() {
        return server;
    }

    /** One gateway Redis client to this server for the class, opened on first use and closed with it. */
    public synchronized Redis client() {
        if (client == null) {
            client = RedisClients.open(server);
        }
        return client;
    }
}
