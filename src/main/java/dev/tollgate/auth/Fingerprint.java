package dev.tollgate.auth;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * Builds the fingerprint of a {@link Verification}: the SHA-256 of a canonical text of named settings (sets
 * sorted, so the order they were written in does not matter), as 32 hex digits. Not thread-safe; one per
 * computation.
 */
final class Fingerprint {
    private final StringBuilder text = new StringBuilder();

    Fingerprint(String kind, String provider) {
        add("kind", kind).add("provider", provider);
    }

    Fingerprint add(String name, Object value) {
        text.append(name).append('=').append(value).append('\n');
        return this;
    }

    Fingerprint addAll(String name, Collection<String> values) {
        return add(name, String.join(",", new TreeSet<>(values)));
    }

    String digest() {
        return HexFormat.of().formatHex(Thumbprints.sha256(text.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
    }
}
