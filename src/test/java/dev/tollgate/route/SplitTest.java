package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.TrafficSplit;
import dev.tollgate.testsupport.Configs;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SplitTest {
    /** FNV-1a over the UTF-16 code units (low byte, high byte), then the SplitMix64 finalizer, worked out by hand. */
    private static final long HASH_ALICE = 0xa9ba68c05342f849L;
    private static final int POSITION_ALICE = 66;
    private static final int POSITION_BOB = 34;

    private static Split split(int stable, int canary) {
        return new Split(new TrafficSplit(List.of(new TrafficSplit.Share("stable", stable),
                new TrafficSplit.Share("canary", canary)), null));
    }

    private static Map<String, Integer> countSticky(Split s, int keys) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < keys; i++) {
            counts.merge(s.choose("user-" + i, null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void stickyShareFollowsTheWeightsOverManyKeys() {
        // the hash is fixed by the code, so this count is the same on every run
        Map<String, Integer> counts = countSticky(split(95, 5), 100_000);
        assertThat(counts.get("canary")).isBetween(4_500, 5_500);
        assertThat(counts.get("stable")).isEqualTo(100_000 - counts.get("canary"));
        Map<String, Integer> even = countSticky(split(1, 1), 100_000);
        assertThat(even.get("canary")).isBetween(49_000, 51_000);
    }

    @Test
    void randomShareFollowsTheWeights() {
        Split s = split(90, 10);
        SplittableRandom random = new SplittableRandom(42);
        int canary = 0;
        for (int i = 0; i < 100_000; i++) {
            if (s.choose(null, random).equals("canary")) {
                canary++;
            }
        }
        assertThat(canary).isBetween(9_500, 10_500);
    }

    @Test
    void aKeyAlwaysGetsTheSameService() {
        Split s = split(50, 50);
        for (int i = 0; i < 1000; i++) {
            String key = "session-" + i;
            String first = s.choose(key, new SplittableRandom(i));
            for (int j = 0; j < 5; j++) {
                assertThat(s.choose(key, new SplittableRandom(j * 31L))).isEqualTo(first);
            }
        }
    }

    @Test
    void raisingTheLastWeightOnlyMovesKeysOntoIt() {
        Split five = split(95, 5);
        Split twenty = split(80, 20);
        Split half = split(1, 1);
        for (int i = 0; i < 20_000; i++) {
            String key = "u" + i;
            if (five.choose(key, null).equals("canary")) {
                assertThat(twenty.choose(key, null)).as(key).isEqualTo("canary");
            }
            if (twenty.choose(key, null).equals("canary")) {
                assertThat(half.choose(key, null)).as(key).isEqualTo("canary");
            }
        }
    }

    @Test
    void theHashIsFixedByTheCode() {
        // pins the mapping: a change here would move users between versions when the gateway is upgraded
        assertThat(Split.hash("alice")).isEqualTo(HASH_ALICE);
        assertThat(Split.position("alice", 100)).isEqualTo(POSITION_ALICE);
        assertThat(Split.position("bob", 100)).isEqualTo(POSITION_BOB);
    }

    @Test
    void positionsCoverTheWholeRange() {
        Split three = new Split(new TrafficSplit(List.of(new TrafficSplit.Share("a", 1),
                new TrafficSplit.Share("b", 2), new TrafficSplit.Share("c", 1)), null));
        assertThat(three.at(0)).isEqualTo("a");
        assertThat(three.at(1)).isEqualTo("b");
        assertThat(three.at(2)).isEqualTo("b");
        assertThat(three.at(3)).isEqualTo("c");
    }

    @Test
    void routeChoosesByTheConfiguredStickyValue() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.stable.instances = http://127.0.0.1:1",
                "gateway.services.canary.instances = http://127.0.0.1:2",
                "gateway.routes.byheader.path = /h/**",
                "gateway.routes.byheader.services = stable:1, canary:1",
                "gateway.routes.byheader.sticky-by = header:X-User",
                "gateway.routes.bycookie.path = /c/**",
                "gateway.routes.bycookie.services = stable:1, canary:1",
                "gateway.routes.bycookie.sticky-by = cookie:session",
                "gateway.routes.single.path = /s/**",
                "gateway.routes.single.service = stable").routes());
        Route byHeader = t.match("x", "GET", "/h/1");
        Route byCookie = t.match("x", "GET", "/c/1");
        Split half = split(1, 1);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            String user = "user-" + i;
            assertThat(byHeader.chooseService(Facts.withHeaders("X-User: " + user), null, random))
                    .isEqualTo(half.choose(user, null));
            assertThat(byCookie.chooseService(Facts.withHeaders("Cookie: a=b; session=" + user), null, random))
                    .isEqualTo(half.choose(user, null));
        }
        assertThat(byHeader.isSplit()).isTrue();
        assertThat(byHeader.service()).isNull();
        Route single = t.match("x", "GET", "/s/1");
        assertThat(single.isSplit()).isFalse();
        assertThat(single.chooseService(null, null, null)).isEqualTo("stable");
    }

    @Test
    void routeStickyByPrincipalUsesTheSubjectAndFallsBackToRandom() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.auth.api-keys.k1.sha256 = " + "0".repeat(64),
                "gateway.auth.api-keys.k1.owner = alice",
                "gateway.services.stable.instances = http://127.0.0.1:1",
                "gateway.services.canary.instances = http://127.0.0.1:2",
                "gateway.routes.p.path = /p/**",
                "gateway.routes.p.auth = api-key",
                "gateway.routes.p.services = stable:1, canary:1",
                "gateway.routes.p.sticky-by = principal").routes());
        Route r = t.match("x", "GET", "/p");
        Split half = split(1, 1);
        for (int i = 0; i < 100; i++) {
            assertThat(r.chooseService(Facts.withHeaders(), "sub-" + i, null)).isEqualTo(half.choose("sub-" + i, null));
        }
        SplittableRandom random = new SplittableRandom(3);
        Map<String, Integer> anonymous = new TreeMap<>();
        for (int i = 0; i < 1000; i++) {
            anonymous.merge(r.chooseService(Facts.withHeaders(), null, random), 1, Integer::sum);
        }
        assertThat(anonymous).containsOnlyKeys("stable", "canary");
    }
}
