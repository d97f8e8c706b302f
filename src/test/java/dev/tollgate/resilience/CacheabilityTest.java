package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CacheabilityTest {
    private static Function<String, List<String>> headers(String... pairs) {
        Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < pairs.length; i += 2) {
            m.computeIfAbsent(pairs[i], k -> new java.util.ArrayList<>()).add(pairs[i + 1]);
        }
        return name -> m.getOrDefault(name, List.of());
    }

    private static final Function<String, List<String>> NONE = headers();

    @Test
    void aPlainOkResponseToAGetIsKept() {
        assertThat(Cacheability.storable("GET", 200, NONE, headers("Cache-Control", "max-age=60"), false)).isTrue();
        assertThat(Cacheability.storable("GET", 200, NONE, NONE, false)).isTrue();
        assertThat(Cacheability.storable("GET", 404, NONE, NONE, false)).isTrue();
    }

    @Test
    void onlyGetAndStatusesCacheableByDefault() {
        assertThat(Cacheability.storable("HEAD", 200, NONE, NONE, false)).isFalse();
        assertThat(Cacheability.storable("POST", 200, NONE, NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 206, NONE, NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 500, NONE, NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 503, NONE, NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 302, NONE, NONE, false)).isFalse();
    }

    @Test
    void privateNoStoreAndDirectivesForbiddingStaleAreNeverKept() {
        for (String cc : List.of("no-store", "private", "PRIVATE, max-age=10", "max-age=5, no-cache",
                "must-revalidate", "proxy-revalidate", "s-maxage=10", "private=\"Set-Cookie\"")) {
            assertThat(Cacheability.storable("GET", 200, NONE, headers("Cache-Control", cc), false)).as(cc).isFalse();
        }
        assertThat(Cacheability.storable("GET", 200, NONE,
                headers("Cache-Control", "max-age=5", "Cache-Control", "no-store"), false)).isFalse();
        assertThat(Cacheability.storable("GET", 200, headers("Cache-Control", "no-store"), NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 200, NONE,
                headers("Cache-Control", "public, ext=\"a, private\""), false)).isTrue();
    }

    @Test
    void setCookieAndVaryStarAreNeverKept() {
        assertThat(Cacheability.storable("GET", 200, NONE, headers("Set-Cookie", "s=1"), true)).isFalse();
        assertThat(Cacheability.storable("GET", 200, NONE, headers("Vary", "Accept, *"), true)).isFalse();
        assertThat(Cacheability.storable("GET", 200, NONE, headers("Vary", "Accept"), false)).isTrue();
    }

    @Test
    void credentialedRequestsOnlyWhenTheRouteSaysItsContentIsPublic() {
        Function<String, List<String>> bearer = headers("Authorization", "Bearer x");
        Function<String, List<String>> cookie = headers("Cookie", "sid=1");
        assertThat(Cacheability.storable("GET", 200, bearer, NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 200, cookie, NONE, false)).isFalse();
        assertThat(Cacheability.storable("GET", 200, bearer, NONE, true)).isTrue();
        assertThat(Cacheability.servable("GET", bearer, false)).isFalse();
        assertThat(Cacheability.servable("GET", cookie, true)).isTrue();
        assertThat(Cacheability.servable("HEAD", NONE, false)).isTrue();
        assertThat(Cacheability.servable("PUT", NONE, true)).isFalse();
    }

    @Test
    void varyNamesAreSplitAndLowerCased() {
        assertThat(Cacheability.varyNames(List.of("Accept-Language, ACCEPT", "X-Tenant"))).containsExactly(
                "accept-language", "accept", "x-tenant");
    }
}
