package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BodyRateTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private BodyRate rate(long bytesPerSecond, Duration grace) {
        return new BodyRate(bytesPerSecond, grace, now::get);
    }

    @Test
    void aBodyAtTheRateAfterTheGracePasses() {
        BodyRate r = rate(100, Duration.ofSeconds(5));
        advance(15_000);
        assertThat(r.tooSlow(1000)).as("1000 bytes over 10 s counted: exactly 100 bytes/s").isFalse();
        assertThat(r.tooSlow(999)).isTrue();
    }

    @Test
    void nothingIsRefusedWithinTheGrace() {
        BodyRate r = rate(1_000_000, Duration.ofSeconds(5));
        advance(5_000);
        assertThat(r.tooSlow(0)).isFalse();
        advance(1);
        assertThat(r.tooSlow(0)).isTrue();
    }

    @Test
    void aTrickleIsRefusedOnceItFallsBehind() {
        BodyRate r = rate(256, Duration.ofSeconds(5));
        long sent = 0;
        int pieces = 0;
        while (!r.tooSlow(sent) && pieces < 1000) {
            advance(500);
            sent += 10;
            pieces++;
        }
        // 20 bytes/s against 256: behind once 20 t < 256 (t - 5), at t > 5.42 s
        assertThat(pieces).isEqualTo(11);
    }

    @Test
    void timeWhileTheGatewayIsNotReadingDoesNotCount() {
        BodyRate r = rate(100, Duration.ZERO);
        advance(1_000);
        assertThat(r.tooSlow(100)).isFalse();
        r.paused();
        advance(60_000);
        assertThat(r.tooSlow(100)).as("a minute waiting for the upstream").isFalse();
        r.resumed();
        advance(1_000);
        assertThat(r.tooSlow(200)).isFalse();
        assertThat(r.tooSlow(199)).isTrue();
    }

    @Test
    void pausesAddUpAndARepeatedSignalCountsOnce() {
        BodyRate r = rate(100, Duration.ZERO);
        r.paused();
        advance(10_000);
        r.paused();
        advance(10_000);
        r.resumed();
        r.resumed();
        r.paused();
        advance(5_000);
        r.resumed();
        advance(2_000);
        assertThat(r.tooSlow(200)).isFalse();
        assertThat(r.tooSlow(199)).isTrue();
    }

    @Test
    void zeroMeansNoMinimum() {
        BodyRate r = rate(0, Duration.ZERO);
        advance(3_600_000);
        assertThat(r.tooSlow(0)).isFalse();
    }

    @Test
    void aPipeFedTooSlowlyStopsReadingAndFailsWith408() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        PipedBody pipe = new PipedBody(null, -1, 1 << 20, rate(256, Duration.ofSeconds(5)), seen::set);
        advance(4_000);
        assertThat(pipe.data(new byte[10], 0, 10)).isTrue();
        advance(4_000);
        assertThat(pipe.data(new byte[10], 0, 10)).as("20 bytes in 8 s: behind").isFalse();
        assertThat(FailureMapper.map(seen.get()).status()).isEqualTo(408);
        assertThat(pipe.data(new byte[10], 0, 10)).as("nothing more is taken").isFalse();
    }

    @Test
    void aBufferedBodyFedTooSlowlyFailsOnceWith408() {
        List<Throwable> seen = new ArrayList<>();
        BufferedBody body = new BufferedBody(1000, 1 << 20, rate(256, Duration.ZERO), seen::add);
        advance(1_000);
        assertThat(body.data(new byte[10], 0, 10)).isFalse();
        body.end();
        assertThat(seen).hasSize(1);
        assertThat(FailureMapper.map(seen.get(0)).status()).isEqualTo(408);
    }

    @Test
    void theFailureIsATimeoutThatMapsTo408() {
        BodyRate r = rate(256, Duration.ZERO);
        FailureAnswer f = FailureMapper.map(new ClientBody.ReadException(r.failure()));
        assertThat(f.status()).isEqualTo(408);
        assertThat(f.clientFault()).isTrue();
        assertThat(f.closeConnection()).isTrue();
    }
}
