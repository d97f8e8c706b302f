package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HopByHopTest {

    @ParameterizedTest
    @ValueSource(strings = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "proxy-authorization", "proxy-authenticate"})
    void recognisesTheHopByHopFields(String name) {
        assertThat(HopByHop.isHopByHop(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"content-length", "content-type", "host", "authorization", "cookie", "set-cookie",
        "via", "x-forwarded-for", "forwarded", "trailers", "upgrade-insecure-requests", "te2", ""})
    void leavesEndToEndFieldsAlone(String name) {
        assertThat(HopByHop.isHopByHop(name)).isFalse();
    }

    @Test
    void collectsTheFieldsTheConnectionHeaderNamesInLowerCase() {
        assertThat(HopByHop.connectionTokens(List.of("Keep-Alive, X-Custom-Hop", "close")))
                .containsExactlyInAnyOrder("keep-alive", "x-custom-hop", "close");
    }

    @Test
    void skipsBlanksAndDuplicatesInConnectionTokens() {
        assertThat(HopByHop.connectionTokens(List.of(" , X-A ,,x-a", "", "  X-B\t")))
                .containsExactlyInAnyOrder("x-a", "x-b");
    }

    @Test
    void noConnectionHeaderNamesNothing() {
        assertThat(HopByHop.connectionTokens(List.of())).isEmpty();
    }
}
