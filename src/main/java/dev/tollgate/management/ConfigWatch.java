package dev.tollgate.management;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gateway.config.watch = true}: reloads the configuration when its properties file changes. Reads the file
 * every {@value #POLL_MILLIS} ms on one daemon thread (a stat and a read of a small file; this works the same on
 * every file system, for an editor's in-place write, a rename over the file and a Kubernetes ConfigMap's symlink
 * swap) and reloads once the content has stayed the same for {@value #SETTLE_MILLIS} ms after a change, so that a
 * file written in several steps is read once, whole. An invalid file is refused like any reload and the running
 * configuration stays; the next change is tried again. Thread-safe; {@link #close()} stops it.
 */
public final class ConfigWatch implements AutoCloseable {
    static final long POLL_MILLIS = 200;
    static final long SETTLE_MILLIS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatch.class);

    private final Path file;
    private final Runnable reload;
    private final LongSupplier nanos;
    private final ScheduledExecutorService timer;
    private int applied;
    private int seen;
    private long seenAt;

    /**
     * @param reload the reload to run (its own logging reports the outcome; a refusal is thrown and ignored here)
     * @param nanos the monotonic time
     */
    ConfigWatch(Path file, Runnable reload, LongSupplier nanos) {
        this.file = file;
        this.reload = reload;
        this.nanos = nanos;
        this.applied = hash();
        this.seen = applied;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-config-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching the file the plane's configuration comes from. */
    public static ConfigWatch start(Path file, ManagementPlane plane) {
        ConfigWatch w = new ConfigWatch(file, plane::reload, System::nanoTime);
        w.timer.scheduleWithFixedDelay(w::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("config watch: following {} for changes (gateway.config.watch = true)", file);
        return w;
    }

    /** One look at the file: notes a change, or reloads a change that has settled. */
    void poll() {
        int now = hash();
        long t = nanos.getAsLong();
        if (now != seen) {
            seen = now;
            seenAt = t;
            return;
        }
        if (now != applied && t - seenAt >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) {
            applied = now;
            try {
                reload.run();
            } catch (RuntimeException e) {
                // refused: ManagementPlane has logged every problem; the running configuration stays
                LOG.debug("config watch: reload refused", e);
            }
        }
    }

    private int hash() {
        try {
            return Arrays.hashCode(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return 0; // being replaced; the next look sees the new file
        } catch (IOException e) {
            LOG.warn("config watch: cannot read {}: {}", file, e.toString());
            return seen;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
