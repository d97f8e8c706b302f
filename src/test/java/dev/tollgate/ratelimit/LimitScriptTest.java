package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.ratelimit.LimitScript.Answer;
import dev.tollgate.ratelimit.LimitScript.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** limit.lua's argument layout and answer format, as its header describes them (RedisBucketsIT runs the script). */
class LimitScriptTest {
    private static final Acquire LOG = new Acquire("k:{a}:log", Algorithm.SLIDING_WINDOW, 10, 60_000_000, 10, true);
    private static final Acquire TOKENS = new Acquire("k:{a}:tb", Algorithm.TOKEN_BUCKET, 5, 1_000_000, 8, false);

    @Test
    void aBatchSendsTheTimeTheRequestsAndEachDistinctKeyOnce() {
        List<Request> batch = List.of(
                new Request(List.of(LOG, TOKENS), 4, 50_000, "lease:7", "lease:6", 2, 1_700_000_000_000_000L),
                Request.plain(List.of(TOKENS)));
        List<String> keys = new ArrayList<>();
        List<String> args = LimitScript.arguments(batch, OptionalLong.empty(), keys);
        assertThat(keys).containsExactly("k:{a}:log", "k:{a}:tb");
        assertThat(args).containsExactly(LimitScript.REDIS_TIME, "2",
                "2", "4", "50000", "lease:7", "lease:6", "2", "1700000000000000",
                "1", "1", "10", "60000000", "10", "1",
                "2", "2", "5", "1000000", "8", "0",
                "1", "0", "0", "", "", "0", "0",
                "2", "2", "5", "1000000", "8", "0");
    }

    @Test
    void aGivenTimeIsSentInMicroseconds() {
        List<String> args = LimitScript.arguments(List.of(Request.plain(List.of(LOG))),
                OptionalLong.of(1_763_900_000_000_123L), new ArrayList<>());
        assertThat(args.get(0)).isEqualTo("1763900000000123");
    }

    @Test
    void theAnswerIsFourNumbersPerBucketThenTheGrantAndTheTimePerRequest() {
        List<Request> batch = List.of(Request.plain(List.of(LOG, TOKENS)), Request.plain(List.of(LOG)));
        List<Long> values = List.of(1L, 9L, 60_000_000L, 0L, 0L, 0L, 400_000L, 200_000L, 3L, 42L,
                0L, 0L, 59_000_000L, 1_000L, 0L, 43L);
        assertThat(LimitScript.answers(batch, values)).containsExactly(
                new Answer(List.of(new BucketAnswer(true, 9, 60_000_000, 0), new BucketAnswer(false, 0, 400_000,
                        200_000)), 3,
                        42),
                new Answer(List.of(new BucketAnswer(false, 0, 59_000_000, 1_000)), 0, 43));
    }
}
