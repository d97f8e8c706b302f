package dev.tollgate.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Consul's blocking-query rules, the full re-read and the backoff, on a manual clock. */
class BlockingQueryTest {
    private final FakeClock clock = new FakeClock();
    private double random = 0.0;
    private final BlockingQuery loop = new BlockingQuery(Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofMillis(500), Duration.ofSeconds(8), clock, () -> random);

    @Test
    void firstQueryDoesNotBlockThenTheReturnedIndexIsSent() {
        assertThat(loop.index()).isZero();
        loop.succeeded(0, 120);
        assertThat(loop.index()).isEqualTo(120);
        assertThat(loop.waitTime()).isEqualTo(Duration.ofSeconds(30));
        loop.succeeded(120, 125);
        assertThat(loop.index()).isEqualTo(125);
    }

    @Test
    void sameIndexAfterATimeoutKeepsBlockingOnIt() {
        loop.succeeded(0, 120);
        loop.succeeded(120, 120);
        assertThat(loop.index()).isEqualTo(120);
    }

    @Test
    void indexGoingBackwardsResetsToAFreshRead() {
        loop.succeeded(0, 120);
        loop.succeeded(120, 7);
        assertThat(loop.index()).isZero();
        loop.succeeded(0, 7);
        assertThat(loop.index()).isEqualTo(7);
    }

    @Test
    void indexNotAboveZeroIsReplacedByOneSoTheNextQueryBlocks() {
        loop.succeeded(0, 0);
        assertThat(loop.index()).isEqualTo(1);
        loop.succeeded(1, -5);
        assertThat(loop.index()).isZero();
        loop.succeeded(0, -5);
        assertThat(loop.index()).isEqualTo(1);
    }

    @Test
    void fullReadComesDueAtTheIntervalAndShortensTheWait() {
        loop.succeeded(0, 50);
        clock.advance(Duration.ofSeconds(45));
        assertThat(loop.index()).isEqualTo(50);
        assertThat(loop.waitTime()).isEqualTo(Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(15));
        assertThat(loop.index()).as("full re-read due").isZero();
        loop.succeeded(0, 50);
        assertThat(loop.index()).isEqualTo(50);
        assertThat(loop.waitTime()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void requestedFullReadHappensNext() {
        loop.succeeded(0, 50);
        loop.requestFullRead();
        assertThat(loop.index()).isZero();
    }

    @Test
    void backoffDoublesPerFailureUpToTheMaximumAndResetsOnSuccess() {
        random = 0.999_999;
        assertThat(loop.failed().toMillis()).isEqualTo(499);
        assertThat(loop.failed().toMillis()).isEqualTo(999);
        assertThat(loop.failed().toMillis()).isEqualTo(1999);
        assertThat(loop.failed().toMillis()).isEqualTo(3999);
        assertThat(loop.failed().toMillis()).isEqualTo(7999);
        for (int i = 0; i < 100; i++) {
            assertThat(loop.failed()).isLessThanOrEqualTo(Duration.ofSeconds(8));
        }
        loop.succeeded(0, 3);
        assertThat(loop.failures()).isZero();
        assertThat(loop.failed().toMillis()).isEqualTo(499);
    }

    @Test
    void backoffIsJitteredBetweenHalfAndAllOfTheStep() {
        random = 0.0;
        assertThat(loop.failed()).isEqualTo(Duration.ofMillis(250));
        random = 0.5;
        assertThat(loop.failed()).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void theQueryAfterAnErrorAnswersAtOnceThenBlockingResumes() {
        loop.succeeded(0, 42);
        loop.failed();
        assertThat(loop.index()).isZero();
        loop.succeeded(0, 42);
        assertThat(loop.index()).isEqualTo(42);
    }
}
