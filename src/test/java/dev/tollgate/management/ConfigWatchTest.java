package dev.tollgate.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatchTest {
    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger reloads = new AtomicInteger();

    private void advance(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void reloadsOnceAfterTheChangeSettles() throws Exception {
        Path file = Files.writeString(dir.resolve("gw.properties"), "a = 1\n");
        try (ConfigWatch w = new ConfigWatch(file, reloads::incrementAndGet, nanos::get)) {
            w.poll();
            assertThat(reloads).hasValue(0);
            Files.writeString(file, "a = 2\n");
            w.poll();
            advance(200);
            Files.writeString(file, "a = 2\nb = 3\n");
            w.poll();
            advance(300);
            w.poll();
            assertThat(reloads).as("still settling").hasValue(0);
            advance(300);
            w.poll();
            assertThat(reloads).hasValue(1);
            advance(1000);
            w.poll();
            assertThat(reloads).as("once per change").hasValue(1);
        }
    }

    @Test
    void aRefusedReloadIsNotRetriedUntilTheNextChange() throws Exception {
        Path file = Files.writeString(dir.resolve("gw.properties"), "a = 1\n");
        try (ConfigWatch w = new ConfigWatch(file, () -> {
            reloads.incrementAndGet();
            throw new IllegalArgumentException("configuration not reloaded");
        }, nanos::get)) {
            Files.writeString(file, "a = bad\n");
            w.poll();
            advance(600);
            w.poll();
            advance(600);
            w.poll();
            assertThat(reloads).hasValue(1);
            Files.delete(file);
            w.poll();
            Files.writeString(file, "a = 1\n");
            w.poll();
            advance(600);
            w.poll();
            assertThat(reloads).as("the first content back: a change from the refused one").hasValue(2);
        }
    }
}
