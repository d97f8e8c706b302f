package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.config.AuthConfig;
import dev.tollgate.testsupport.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The introspection rules, the bound on trusting an answer and the back-off, with a fake clock. */
class IntrospectorTest {
    private static final String P = "gateway.auth.providers.i.";
    private final FakeClock clock = new FakeClock(NOW);
    private final AtomicReference<String> answer = new AtomicReference<>("{\"active\":false}");
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final AtomicInteger calls = new AtomicInteger();

    private Introspector introspector(String... more) {
        List<String> lines = new ArrayList<>(List.of(P + "introspection.uri = https://idp.example/introspect",
                P + "introspection.client-id = gateway", P + "introspection.client-secret = secret",
                P + "introspection.max-cache = 2m", P + "introspection.retry-interval = 10s",
                P + "roles-claim = groups"));
        lines.addAll(List.of(more));
        AuthConfig.Provider p = Fixtures.config(lines).auth().providers().get("i");
        return new Introspector("i", p.introspection(), p.jwt(), new ClaimsReader(p.jwt().rolesClaims(),
                p.jwt().scopesClaims(), p.jwt().planClaims()), token -> {
                    calls.incrementAndGet();
                    if (failure.get() != null) {
                        throw failure.get();
                    }
                    return answer.get();
                }, clock, new LongAdder());
    }

    private static AuthException.Reason refusal(Introspector i) {
        AuthException e = catchThrowableOfType(AuthException.class, () -> i.verify("opaque"));
        assertThat(e).as("refused").isNotNull();
        return e.reason();
    }

    private String active(Duration untilExp) {
        return "{\"active\":true,\"sub\":\"alice\",\"groups\":[\"ops\"],\"scope\":\"read\",\"aud\":\"orders\",\"exp\":"
                + NOW.plus(untilExp).getEpochSecond() + "}";
    }

    @Test
    void anActiveAnswerIsTrustedUntilExpButNeverBeyondMaxCache() throws Exception {
        Introspector i = introspector();
        answer.set(active(Duration.ofSeconds(30)));
        VerifiedToken t = i.verify("opaque");
        assertThat(t.subject()).isEqualTo("alice");
        assertThat(t.roles()).containsExactly("ops");
        assertThat(t.scopes()).containsExactly("read");
        assertThat(t.expiresAt()).isEqualTo(NOW.plusSeconds(30));
        answer.set(active(Duration.ofHours(5)));
        assertThat(i.verify("opaque").expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(2)));
        answer.set("{\"active\":true,\"sub\":\"no-exp\"}");
        assertThat(i.verify("opaque").expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(2)));
    }

    @Test
    void theLevelTwoFormKeepsTheBound() throws Exception {
        Introspector i = introspector();
        answer.set(active(Duration.ofHours(5)));
        VerifiedToken t = i.verify("opaque");
        VerifiedToken back = i.fromCache(i.toCache(t));
        assertThat(back).isEqualTo(t);
        assertThat(catchThrowableOfType(AuthException.class, () -> i.fromCache("{\"sub\":\"forged\"}"))).isNotNull();
    }

    @Test
    void inactiveExpiredAndMisdirectedAnswersAreRefused() {
        Introspector i = introspector(P + "audience = orders", P + "issuer = https://idp.example/");
        assertThat(refusal(i)).isEqualTo(AuthException.Reason.INACTIVE);
        answer.set(active(Duration.ofMinutes(-5)));
        assertThat(refusal(i)).isEqualTo(AuthException.Reason.EXPIRED);
        answer.set(active(Duration.ofMinutes(5)).replace("\"orders\"", "\"billing\""));
        assertThat(refusal(i)).isEqualTo(AuthException.Reason.CLAIMS);
        answer.set(active(Duration.ofMinutes(5)).replace("{", "{\"iss\":\"https://evil.example/\","));
        assertThat(refusal(i)).isEqualTo(AuthException.Reason.CLAIMS);
    }

    @Test
    void aFailingEndpointIsNotAskedUntilTheRetryIntervalThenOnceForEveryone() throws Exception {
        Introspector i = introspector();
        failure.set(new IOException("connection refused"));
        AuthException down = catchThrowableOfType(AuthException.class, () -> i.verify("opaque"));
        assertThat(down.reason()).isEqualTo(AuthException.Reason.INTROSPECTION_UNAVAILABLE);
        assertThat(down.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(4));
        for (int n = 0; n < 50; n++) {
            assertThat(catchThrowableOfType(AuthException.class, () -> i.verify("opaque")).retryAfter())
                    .isEqualTo(Duration.ofSeconds(6));
        }
        assertThat(calls).hasValue(1);
        clock.advance(Duration.ofSeconds(6));
        failure.set(null);
        answer.set(active(Duration.ofMinutes(5)));
        assertThat(i.verify("opaque").subject()).isEqualTo("alice");
        assertThat(i.verify("opaque").subject()).isEqualTo("alice");
        assertThat(calls).hasValue(3);
        assertThat(i.calls()).as("the tollgate.auth.introspections meter").isEqualTo(3);
    }

    @Test
    void anAnswerThatIsNoIntrospectionResponseCountsAsAnOutage() {
        Introspector i = introspector();
        answer.set("<html>login</html>");
        assertThat(refusal(i)).isEqualTo(AuthException.Reason.INTROSPECTION_UNAVAILABLE);
        clock.advance(Duration.ofSeconds(10));
        answer.set("{\"sub\":\"no active member\"}");
        assertThat(refusal(i)).isEqualTo(AuthException.Reason.INTROSPECTION_UNAVAILABLE);
        assertThat(calls).hasValue(2);
    }
}
