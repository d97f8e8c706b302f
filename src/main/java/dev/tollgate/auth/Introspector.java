package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.config.AuthConfig;
import dev.tollgate.config.Secrets;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Establishes tokens by OAuth 2.0 token introspection (RFC 7662) at one provider's endpoint. An active answer is
 * checked like a JWT's claims ({@code exp} and {@code nbf} with the leeway, the audiences and issuers when
 * configured, the required claims) and trusted until its {@code exp}, never longer than {@code max-cache}; an
 * inactive one is refused and remembered for {@code negative-cache}. An endpoint that fails (no answer within the
 * timeout, a status other than 200, no JSON object with a boolean {@code active}) is not asked again for
 * {@code retry-interval}: meanwhile the tokens it must check are refused as unavailable (503 with
 * {@code Retry-After}), never let through; then one request tries it again while the others keep getting 503.
 * The outage and the recovery are logged once each; the token and the client secret never are. Thread-safe.
 */
final class Introspector implements Verification {
    private static final Logger LOG = LoggerFactory.getLogger(Introspector.class);

    /** One call to the endpoint: the answer's body, or why there is none. */
    interface Endpoint {
        String introspect(String token) throws IOException;
    }

    private final String provider;
    private final AuthConfig.Introspection config;
    private final AuthConfig.Jwt rules;
    private final ClaimsReader claims;
    private final Endpoint endpoint;
    private final Clock clock;
    private final String fingerprint;
    /** While the endpoint is failing, when it may be tried again; null while it answers. */
    private final AtomicReference<Instant> nextTry = new AtomicReference<>();
    private final LongAdder calls;

    /**
     * @param calls counts the calls made to the endpoint (kept across reloads of the provider, for its meter)
     */
    Introspector(String provider, AuthConfig.Introspection config, AuthConfig.Jwt rules, ClaimsReader claims,
                 Endpoint endpoint, Clock clock, LongAdder calls) {
        this.provider = provider;
        this.calls = calls;
        this.config = config;
        this.rules = rules;
        this.claims = claims;
        this.endpoint = endpoint;
        this.clock = clock;
        this.fingerprint = new Fingerprint("introspection", provider).add("uri", config.uri())
                .add("client-id", config.clientId()).addAll("issuers", rules.issuers())
                .addAll("audiences", rules.audiences()).addAll("required-claims", rules.requiredClaims())
                .add("leeway", rules.leeway().toSeconds()).add("max-cache", config.maxCache().toMillis())
                .add("claims", claims.paths()).digest();
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public VerifiedToken verify(String token) throws AuthException {
        Instant now = clock.instant();
        Instant next = nextTry.get();
        if (next != null && now.isBefore(next)) {
            throw unavailable(Duration.between(now, next));
        }
        if (next != null && !nextTry.compareAndSet(next, now.plus(config.retryInterval()))) {
            throw unavailable(config.retryInterval()); // another request is trying the endpoint
        }
        JsonNode answer;
        String body;
        try {
            calls.increment();
            body = endpoint.introspect(token);
            answer = ClaimsReader.object(body);
            if (!answer.path("active").isBoolean()) {
                throw new IOException("the answer has no boolean \"active\" (RFC 7662 section 2.2)");
            }
        } catch (IOException | AuthException | RuntimeException e) {
            failed(e instanceof AuthException ? "the answer is not a JSON object" : e.toString());
            throw unavailable(config.retryInterval());
        }
        recovered();
        return accepted(answer, body, now);
    }

    private VerifiedToken accepted(JsonNode answer, String body, Instant now) throws AuthException {
        if (!answer.get("active").asBoolean()) {
            throw new AuthException(AuthException.Reason.INACTIVE);
        }
        Duration leeway = rules.leeway();
        Instant until = now.plus(config.maxCache());
        if (answer.path("exp").isNumber()) {
            Instant exp = Instant.ofEpochSecond(answer.get("exp").asLong());
            if (!exp.plus(leeway).isAfter(now)) {
                throw new AuthException(AuthException.Reason.EXPIRED);
            }
            until = exp.isBefore(until) ? exp : until;
        }
        if (answer.path("nbf").isNumber() && Instant.ofEpochSecond(answer.get("nbf").asLong()).isAfter(now.plus(leeway))) {
            throw new AuthException(AuthException.Reason.NOT_YET_VALID);
        }
        String iss = ClaimsReader.text(answer.get("iss"));
        Set<String> aud = ClaimsReader.values(answer.get("aud"));
        boolean issuerOk = iss == null || rules.issuers().isEmpty() || rules.issuers().contains(iss);
        boolean audienceOk = rules.audiences().isEmpty() || rules.audiences().stream().anyMatch(aud::contains);
        boolean required = rules.requiredClaims().stream().allMatch(c -> answer.hasNonNull(c));
        if (!issuerOk || !audienceOk || !required) {
            throw new AuthException(AuthException.Reason.CLAIMS);
        }
        return claims.read(answer, body, until, Identity.INTROSPECTION);
    }

    private AuthException unavailable(Duration retryAfter) {
        return new AuthException(AuthException.Reason.INTROSPECTION_UNAVAILABLE, retryAfter);
    }

    private void failed(String why) {
        Instant before = nextTry.getAndSet(clock.instant().plus(config.retryInterval()));
        if (before == null) {
            LOG.warn("provider={} introspection={} unavailable ({}); tokens it must check get 503, next try in {}",
                    provider, Secrets.withoutUserInfo(config.uri().toString()), why, config.retryInterval());
        }
    }

    private void recovered() {
        if (nextTry.getAndSet(null) != null) {
            LOG.info("provider={} introspection={} answers again", provider,
                    Secrets.withoutUserInfo(config.uri().toString()));
        }
    }

    @Override
    public Duration refusalTtl(Duration configured) {
        return config.negativeCache();
    }

    /** {@code <trusted until, epoch ms> <the answer>}: the bound travels with the answer to other instances. */
    @Override
    public String toCache(VerifiedToken token) {
        return token.expiresAt().toEpochMilli() + " " + token.claimsJson();
    }

    @Override
    public VerifiedToken fromCache(String value) throws AuthException {
        int space = value.indexOf(' ');
        if (space < 1) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        Instant until;
        try {
            until = Instant.ofEpochMilli(Long.parseLong(value.substring(0, space)));
        } catch (NumberFormatException e) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        String json = value.substring(space + 1);
        return claims.read(ClaimsReader.object(json), json, until, Identity.INTROSPECTION);
    }

    /** Calls made to the endpoint. */
    long calls() {
        return calls.sum();
    }
}
