package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlowToFallTest {
    private static final long HOLD = 15;

    @Test
    void risesAtOnce() {
        SlowToFall c = new SlowToFall(1, HOLD);
        assertThat(c.read(3, 0)).isEqualTo(3);
        assertThat(c.read(4, 1)).isEqualTo(4);
    }

    @Test
    void aRedisRestartedEmptyDoesNotMakeAnInstanceCountItselfAlone() {
        SlowToFall c = new SlowToFall(1, HOLD);
        c.read(2, 0);
        assertThat(c.read(1, 5)).as("the other instance has not called in yet").isEqualTo(2);
        assertThat(c.read(2, 10)).as("it has").isEqualTo(2);
        assertThat(c.read(1, 30)).isEqualTo(2);
    }

    @Test
    void fallsOnceTheLowerCountHasLastedTheHoldTime() {
        SlowToFall c = new SlowToFall(3, HOLD);
        assertThat(c.read(1, 100)).isEqualTo(3);
        assertThat(c.read(2, 105)).isEqualTo(3);
        assertThat(c.read(1, 114)).isEqualTo(3);
        assertThat(c.read(1, 115)).as("the highest reading of the hold time").isEqualTo(2);
        assertThat(c.read(1, 129)).isEqualTo(2);
        assertThat(c.read(1, 130)).isEqualTo(1);
    }

    @Test
    void aReadingBackAtTheCountEndsTheHold() {
        SlowToFall c = new SlowToFall(2, HOLD);
        c.read(1, 0);
        c.read(2, 10);
        assertThat(c.read(1, 16)).as("lower again only since 16").isEqualTo(2);
        assertThat(c.read(1, 31)).isEqualTo(1);
    }
}
