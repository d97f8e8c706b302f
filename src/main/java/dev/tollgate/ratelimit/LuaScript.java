package dev.tollgate.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script from this package's resources, loaded into Redis once ({@code SCRIPT LOAD}) and then called by
 * its SHA-1 ({@code EVALSHA}); when Redis has lost it (a restart, {@code SCRIPT FLUSH}) it answers
 * {@code NOSCRIPT} and the script is loaded again. Thread-safe.
 */
final class LuaScript {
    private final String source;
    private final String sha;
    private volatile boolean loaded;

    LuaScript(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + resource);
            }
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String sha() {
        return sha;
    }

    /** Runs the script; {@code keys} must not be empty (the first key routes the call in a cluster). */
    Object eval(UnifiedJedis jedis, List<String> keys, List<String> args) {
        if (!loaded) {
            load(jedis, keys.get(0));
        }
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            load(jedis, keys.get(0));
            return jedis.evalsha(sha, keys, args);
        }
    }

    private void load(UnifiedJedis jedis, String sampleKey) {
        String got = jedis.scriptLoad(source, sampleKey);
        if (!sha.equals(got)) {
            throw new IllegalStateException("Redis returned SHA " + got + " for a script with SHA " + sha);
        }
        loaded = true;
    }
}
