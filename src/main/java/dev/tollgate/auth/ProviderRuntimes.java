package dev.tollgate.auth;

import dev.tollgate.config.AuthConfig;
import dev.tollgate.config.Secrets;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity providers at run time, built from one configuration (at start-up, and again by a reload that
 * changes them): per provider its static keys, its JWKS (refreshed in the background), its claims reader and its
 * introspection endpoint, gathered in one {@link Providers}. Without any configured provider, a {@code default} one without keys refuses every token
 * as signed by an unknown key. Thread-safe; {@link #close()} stops the JWKS refreshes and closes the clients.
 */
final class ProviderRuntimes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderRuntimes.class);

    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private final Providers providers;

    /**
     * @param calls the counter of a provider's introspection calls, by provider name
     */
    ProviderRuntimes(AuthConfig config, Clock clock, Function<String, LongAdder> calls) {
        Collection<AuthConfig.Provider> configured = config.providers().isEmpty()
                ? List.of(new AuthConfig.Provider(AuthConfig.DEFAULT_PROVIDER, config.jwt(), null))
                : config.providers().values();
        List<Providers.Provider> built = new ArrayList<>();
        try {
            for (AuthConfig.Provider p : configured) {
                built.add(build(p, clock, calls));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        providers = new Providers(built);
    }

    private Providers.Provider build(AuthConfig.Provider p, Clock clock, Function<String, LongAdder> calls) {
        AuthConfig.Jwt jwt = p.jwt();
        ClaimsReader claims = new ClaimsReader(jwt.rolesClaims(), jwt.scopesClaims(), jwt.planClaims());
        Introspector introspector = null;
        if (p.introspection() != null) {
            HttpIntrospectionEndpoint endpoint = new HttpIntrospectionEndpoint(p.introspection());
            open.push(endpoint);
            introspector = new Introspector(p.name(), p.introspection(), jwt, claims, endpoint, clock,
                    calls.apply(p.name()));
        }
        Verification forJwts = introspector != null && p.introspection().allTokens() ? introspector
                : jwt.hasKeys() || introspector == null ? verifier(p, claims, clock) : null;
        LOG.info("start-up: provider={} issuers={} audiences={} jwks={} static-keys={} introspection={}{}", p.name(),
                jwt.issuers(), jwt.audiences(), jwt.jwksUri() == null ? "none" : jwt.jwksUri(),
                jwt.keys().stream().map(AuthConfig.StaticKey::kid).toList(),
                p.introspection() == null ? "none" : Secrets.withoutUserInfo(p.introspection().uri().toString()),
                p.introspection() != null && p.introspection().allTokens() ? " (all tokens)" : "");
        return new Providers.Provider(p.name(), Set.copyOf(jwt.issuers()), forJwts, introspector);
    }

    private TokenVerifier verifier(AuthConfig.Provider p, ClaimsReader claims, Clock clock) {
        AuthConfig.Jwt jwt = p.jwt();
        JwtChecks checks = new JwtChecks(jwt, clock);
        JwksKeySource jwks = null;
        if (jwt.jwksUri() != null) {
            HttpJwksFetcher fetcher = new HttpJwksFetcher(jwt.jwksUri(), jwt.jwksTimeout());
            open.push(fetcher);
            String where = p.name().equals(AuthConfig.DEFAULT_PROVIDER) ? jwt.jwksUri().toString()
                    : jwt.jwksUri() + " provider=" + p.name();
            jwks = new JwksKeySource(where, fetcher, checks, jwt.jwksMinRefetch(), clock);
            open.push(jwks);
            jwks.startRefreshing(jwt.jwksRefresh());
        }
        Map<String, VerificationKey> staticKeys = TokenVerifier.staticKeys(jwt, checks);
        return new TokenVerifier(p.name(), jwt, staticKeys, jwks, claims);
    }

    Providers providers() {
        return providers;
    }

    @Override
    public void close() {
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (IOException e) {
                LOG.debug("shutdown: an identity provider's client close failed: {}", e.toString());
            } catch (Exception e) {
                LOG.debug("shutdown: an identity provider's close failed: {}", e.toString());
            }
        }
    }
}
