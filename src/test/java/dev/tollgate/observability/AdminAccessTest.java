package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.AdminConfig;
import dev.tollgate.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminAccessTest {
    private static final String TOKEN = "0123456789abcdef0123456789";

    private static AdminAccess access(boolean enabled, int port) {
        return new AdminAccess(new AdminConfig(enabled, port, List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1")),
                TOKEN, "/_tollgate"));
    }

    @Test
    void servesOnlyItsOwnPortWhenEnabled() {
        assertThat(access(true, 8081).servesPort(8081)).isTrue();
        assertThat(access(true, 8081).servesPort(8080)).isFalse();
        assertThat(access(false, 8081).servesPort(8081)).isFalse();
        assertThat(access(true, 0).servesPort(8080)).isTrue();
        assertThat(access(true, 0).hasOwnPort()).isFalse();
    }

    @Test
    void aReloadTakesTheNewTokenAndPeersButKeepsThePortAndPath() {
        AdminConfig started = new AdminConfig(true, 8081, List.of(Cidr.parse("127.0.0.1/32")), TOKEN, "/_tollgate");
        AdminConfig next = new AdminConfig(false, 9090, List.of(Cidr.parse("10.0.0.0/8")), TOKEN + "-rotated",
                "/_other");
        AdminAccess a = AdminAccess.reloaded(started, next);
        assertThat(a.hasToken("Bearer " + TOKEN + "-rotated")).isTrue();
        assertThat(a.hasToken("Bearer " + TOKEN)).isFalse();
        assertThat(a.allows("10.1.2.3")).isTrue();
        assertThat(a.allows("127.0.0.1")).isFalse();
        assertThat(a.servesPort(8081)).as("still enabled, on the port it started on").isTrue();
        assertThat(a.servesPort(9090)).isFalse();
        assertThat(a.endpoint("/_tollgate/health")).isEqualTo("/health");
    }

    @Test
    void acceptsOnlyTheExactBearerToken() {
        AdminAccess a = access(true, 8081);
        assertThat(a.hasToken("Bearer " + TOKEN)).isTrue();
        assertThat(a.hasToken("bearer " + TOKEN)).isTrue();
        assertThat(a.hasToken("Bearer " + TOKEN + "x")).isFalse();
        assertThat(a.hasToken("Bearer " + TOKEN.substring(1))).isFalse();
        assertThat(a.hasToken("Basic " + TOKEN)).isFalse();
        assertThat(a.hasToken(TOKEN)).isFalse();
        assertThat(a.hasToken("Bearer ")).isFalse();
        assertThat(a.hasToken(null)).isFalse();
    }

    @Test
    void anEmptyConfiguredTokenAcceptsNothing() {
        AdminAccess a = new AdminAccess(new AdminConfig(false, 8081, List.of(), "", "/_tollgate"));
        assertThat(a.hasToken("Bearer ")).isFalse();
        assertThat(a.hasToken("Bearer  ")).isFalse();
    }

    @Test
    void allowsOnlyConfiguredPeers() {
        AdminAccess a = access(true, 8081);
        assertThat(a.allows("127.0.0.1")).isTrue();
        assertThat(a.allows("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(a.allows("10.0.0.1")).isFalse();
        assertThat(a.allows("localhost")).isFalse();
    }

    @Test
    void reservesThePrefixAndNamesEndpoints() {
        AdminAccess a = access(true, 8081);
        assertThat(a.isReserved("/_tollgate")).isTrue();
        assertThat(a.isReserved("/_tollgate/health/ready")).isTrue();
        assertThat(a.isReserved("/_tollgates")).isFalse();
        assertThat(a.isReserved("/api/_tollgate")).isFalse();
        assertThat(a.endpoint("/_tollgate/metrics")).isEqualTo("/metrics");
        assertThat(a.endpoint("/metrics")).isNull();
    }
}
