package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.StaleCacheConfig;
import dev.tollgate.testsupport.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class StaleCacheTest {
    private final FakeClock clock = new FakeClock();

    private static Function<String, List<String>> req(String name, String value) {
        return n -> n.equalsIgnoreCase(name) ? List.of(value) : List.of();
    }

    private static final Function<String, List<String>> NONE = n -> List.of();

    private static ResponseCapture body(StaleCache cache, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ResponseCapture c = cache.capture(b.length);
        c.write(b, 0, b.length);
        return c;
    }

    private static List<String[]> headers(String... pairs) {
        List<String[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(new String[] {pairs[i], pairs[i + 1]});
        }
        return out;
    }

    @Test
    void keepsAndReturnsTheLastGoodResponseWithItsAge() {
        StaleCache cache = new StaleCache(new StaleCacheConfig(10, 1 << 20, 1024, Duration.ofHours(1)), clock);
        cache.put("k", 200, headers("Age", "5", "Content-Type", "text/plain"), body(cache, "first"), NONE);
        cache.put("k", 200, headers("Content-Type", "text/plain"), body(cache, "second"), NONE);
        clock.advance(Duration.ofMillis(42_500));
        CachedResponse r = cache.get("k", NONE);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(r.ageSeconds(clock.millis())).isEqualTo(42);
        cache.put("k", 200, headers("Age", "5"), body(cache, "third"), NONE);
        clock.advance(Duration.ofSeconds(3));
        assertThat(cache.get("k", NONE).ageSeconds(clock.millis())).isEqualTo(8);
    }

    @Test
    void honoursVary() {
        StaleCache cache = new StaleCache(new StaleCacheConfig(10, 1 << 20, 1024, Duration.ofHours(1)), clock);
        cache.put("k", 200, headers("Vary", "Accept-Language"), body(cache, "deutsch"), req("Accept-Language", "de"));
        assertThat(cache.get("k", req("Accept-Language", "de"))).isNotNull();
        assertThat(cache.get("k", req("Accept-Language", "fr"))).isNull();
        assertThat(cache.get("k", NONE)).isNull();
        assertThat(cache.get("other", req("Accept-Language", "de"))).isNull();
    }

    @Test
    void aResponseLargerThanTheEntryLimitIsNotKept() {
        StaleCache cache = new StaleCache(new StaleCacheConfig(10, 1 << 20, 8, Duration.ofHours(1)), clock);
        assertThat(cache.capture(9)).isNull();
        ResponseCapture unknownLength = cache.capture(-1);
        unknownLength.write(new byte[5], 0, 5);
        unknownLength.write(new byte[5], 0, 5);
        assertThat(unknownLength.overflowed()).isTrue();
        cache.put("k", 200, headers(), unknownLength, NONE);
        assertThat(cache.get("k", NONE)).isNull();
    }

    @Test
    void isBoundedByEntriesAndBytes() {
        StaleCache byCount = new StaleCache(new StaleCacheConfig(3, 1 << 20, 1024, Duration.ofHours(1)), clock);
        for (int i = 0; i < 10; i++) {
            byCount.put("k" + i, 200, headers(), body(byCount, "x"), NONE);
        }
        assertThat(byCount.size()).isLessThanOrEqualTo(3);
        StaleCache byBytes = new StaleCache(new StaleCacheConfig(1000, 2048, 1024, Duration.ofHours(1)), clock);
        for (int i = 0; i < 10; i++) {
            byBytes.put("k" + i, 200, headers(), body(byBytes, "y".repeat(1000)), NONE);
        }
        assertThat(byBytes.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void entriesOlderThanMaxStaleAreGone() {
        StaleCache cache = new StaleCache(new StaleCacheConfig(10, 1 << 20, 1024, Duration.ofMinutes(10)), clock);
        cache.put("k", 200, headers(), body(cache, "old"), NONE);
        clock.advance(Duration.ofMinutes(9));
        assertThat(cache.get("k", NONE)).isNotNull();
        clock.advance(Duration.ofMinutes(2));
        assertThat(cache.get("k", NONE)).isNull();
    }

    @Test
    void disabledWithZeroEntries() {
        StaleCache cache = new StaleCache(new StaleCacheConfig(0, 1 << 20, 1024, Duration.ofHours(1)), clock);
        assertThat(cache.capture(10)).isNull();
    }
}
