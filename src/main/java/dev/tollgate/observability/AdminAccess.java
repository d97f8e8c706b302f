package dev.tollgate.observability;

import dev.tollgate.config.AdminConfig;
import dev.tollgate.config.Cidr;
import dev.tollgate.route.RouteTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Who may reach the admin endpoints and where: the admin port, the allowed TCP peers, and the bearer token,
 * compared in constant time (both sides hashed first, so neither the content nor the length of the expected
 * token leaks through timing). Also which paths are reserved for them and never routed. Immutable; thread-safe.
 */
public final class AdminAccess {
    private static final String BEARER = "bearer ";

    private final AdminConfig config;
    private final byte[] tokenDigest;

    public AdminAccess(AdminConfig config) {
        this.config = config;
        this.tokenDigest = sha256(config.token());
    }

    /**
     * The access rules after a reload: the allowed peers and the token of {@code next}; whether the endpoints
     * exist, their port and their path stay those of {@code started} (they take a restart).
     */
    public static AdminAccess reloaded(AdminConfig started, AdminConfig next) {
        return new AdminAccess(new AdminConfig(started.enabled(), started.port(), next.allowedAddresses(), next.token(),
                started.path()));
    }

    /** Whether a request arriving on this local port is the admin endpoints' to answer. */
    public boolean servesPort(int localPort) {
        return config.enabled() && (config.port() == 0 || config.port() == localPort);
    }

    /** Whether the admin endpoints have a port of their own (then nothing else is served there). */
    public boolean hasOwnPort() {
        return config.port() != 0;
    }

    /** Whether a path (inside the WAR) lies under the reserved admin prefix: no route may forward it. */
    public boolean isReserved(String path) {
        return RouteTable.isUnder(path, config.path());
    }

    /** The endpoint a path names, e.g. {@code /health/ready} for {@code /_tollgate/health/ready}; null if none. */
    public String endpoint(String path) {
        return isReserved(path) ? path.substring(config.path().length()) : null;
    }

    /** Whether the TCP peer (an IP literal) is allowed. */
    public boolean allows(String remoteAddress) {
        byte[] address = Cidr.literal(remoteAddress);
        for (Cidr c : config.allowedAddresses()) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an {@code Authorization} header carries the admin token (RFC 6750 §2.1). */
    public boolean hasToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length() || config.token().isEmpty()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(authorization.substring(BEARER.length()).trim()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
