package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.testsupport.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The in-process algorithms, on a fake clock, against the table shared with the Redis script. */
class LocalBucketsTest {
    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tollgate.ratelimit.BucketCases#cases")
    void answersAsTheSharedTableSays(BucketCases.Case c) {
        FakeClock clock = new FakeClock(instant(BucketCases.START));
        LocalBuckets buckets = new LocalBuckets(clock);
        int i = 0;
        for (BucketCases.Step step : c.steps()) {
            clock.set(instant(BucketCases.START + step.atMicros()));
            assertThat(buckets.acquire(c.buckets())).as("step %d at +%d us", i++, step.atMicros())
                    .isEqualTo(step.expected());
        }
    }

    @Test
    void concurrentCallersNeverExceedTheLimit() throws Exception {
        LocalBuckets buckets = new LocalBuckets(new FakeClock(instant(BucketCases.START)));
        List<Acquire> one = List.of(new Acquire("k", Algorithm.SLIDING_WINDOW, 100, 60_000_000, 100, true),
                new Acquire("j", Algorithm.TOKEN_BUCKET, 1, 60_000_000, 150, true));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    int allowed = 0;
                    for (int n = 0; n < 100; n++) {
                        if (buckets.acquire(one).get(0).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            assertThat(total).isEqualTo(100);
            assertThat(buckets.acquire(one).get(1).remaining())
                    .as("the token bucket gave exactly the 100 admitted requests, none of the rejected").isEqualTo(50);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void forgetsBucketsThatAreEmptyAgain() {
        FakeClock clock = new FakeClock(instant(BucketCases.START));
        LocalBuckets buckets = new LocalBuckets(clock);
        for (int i = 0; i < 4095; i++) {
            buckets.acquire(List.of(new Acquire("ip-" + i, Algorithm.SLIDING_WINDOW, 5, 1_000_000, 5, true)));
        }
        assertThat(buckets.size()).isEqualTo(4095);
        clock.advance(Duration.ofSeconds(2));
        buckets.acquire(List.of(new Acquire("last", Algorithm.SLIDING_WINDOW, 5, 1_000_000, 5, true)));
        assertThat(buckets.size()).as("the sweep forgot the idle buckets").isEqualTo(1);
    }
}
