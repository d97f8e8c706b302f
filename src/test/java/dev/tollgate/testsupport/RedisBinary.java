package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;

/**
 * The {@code redis-server} executable the tests run: the real Redis binary shipped inside the test dependency
 * {@code com.github.codemonstur:embedded-redis}, extracted once per JVM into a temporary directory. Every
 * machine (a developer's, CI, a fresh one) so runs the same Redis, and nothing has to be installed. The
 * environment variable {@code TOLLGATE_REDIS_SERVER} names another executable instead (e.g. a newer
 * {@code /usr/bin/redis-server}).
 */
public final class RedisBinary {
    /** Overrides the bundled binary with the path of another {@code redis-server}. */
    public static final String OVERRIDE = "TOLLGATE_REDIS_SERVER";

    private static Path extracted;

    private RedisBinary() {
    }

    /** The path of the executable, extracting the bundled one on first use. */
    public static synchronized String path() throws IOException {
        String override = System.getenv(OVERRIDE);
        if (override != null && !override.isBlank()) {
            if (!Files.isExecutable(Path.of(override))) {
                throw new IOException(OVERRIDE + " = " + override + ": not an executable file");
            }
            return override;
        }
        if (extracted == null) {
            extracted = extract(resourceName());
        }
        return extracted.toString();
    }

    /** The binary in the embedded-redis jar for this operating system and processor. */
    static String resourceName() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        if (os.contains("linux") && x64) {
            return "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("linux") && arm) {
            return "redis-server-6.2.7-linux-arm64";
        }
        if (os.contains("mac") && x64) {
            return "redis-server-6.2.6-v5-darwin-amd64";
        }
        if (os.contains("mac") && arm) {
            return "redis-server-6.2.6-v5-darwin-arm64";
        }
        throw new IOException("no bundled redis-server for " + os + "/" + arch + "; set " + OVERRIDE
                + " to the path of a redis-server executable");
    }

    private static Path extract(String name) throws IOException {
        Path dir = Files.createTempDirectory("tollgate-redis-bin");
        Path target = dir.resolve("redis-server");
        try (InputStream in = RedisBinary.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IOException(name + " is not on the test class path (the embedded-redis test dependency)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!target.toFile().setExecutable(true, true)) {
            throw new IOException("cannot make " + target + " executable");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        return target;
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
