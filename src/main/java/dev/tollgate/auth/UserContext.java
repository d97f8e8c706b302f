package dev.tollgate.auth;

import dev.tollgate.config.AuthConfig;
import dev.tollgate.http.HeaderField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The user-context headers: which client-sent names are removed (the configured names in any case, with
 * {@code _} for {@code -}), and the values sent upstream for an authenticated caller. Claim values are
 * caller-influenced, so control and non-ASCII characters are percent-encoded (UTF-8) and can never split or
 * add a header. Immutable, thread-safe.
 */
public final class UserContext {
    private final AuthConfig.UserHeaders names;
    private final Set<String> normalized = new HashSet<>();

    public UserContext(AuthConfig.UserHeaders names) {
        this.names = names;
        for (String n : names.names()) {
            normalized.add(normalize(n));
        }
    }

    /** Lower case, {@code _} as {@code -}: how an upstream framework may read a header name. */
    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether a client-sent header with this name must be removed. */
    public boolean isUserContext(String headerName) {
        return normalized.contains(normalize(headerName));
    }

    /** The name-value pairs to send upstream for this caller. */
    public List<HeaderField> headers(Identity identity) {
        List<HeaderField> out = new ArrayList<>();
        Principal p = identity.principal();
        add(out, names.userId(), p.subject());
        add(out, names.roles(), p.roles().isEmpty() ? null : String.join(",", new TreeSet<>(p.roles())));
        add(out, names.scopes(), identity.scopes().isEmpty() ? null : String.join(" ", new TreeSet<>(identity.scopes())));
        add(out, names.plan(), p.plan());
        add(out, names.method(), identity.method());
        add(out, names.apiKeyOwner(), Identity.API_KEY.equals(identity.method()) ? p.subject() : null);
        return out;
    }

    private static void add(List<HeaderField> out, String name, String value) {
        if (!name.isEmpty() && value != null && !value.isEmpty()) {
            out.add(new HeaderField(name, safe(value)));
        }
    }

    static String safe(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean plain = c >= 0x20 && c < 0x7f;
            if (!plain && out == null) {
                out = new StringBuilder(value.substring(0, i));
            }
            if (out != null) {
                if (plain) {
                    out.append(c);
                } else {
                    int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                    for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                        out.append('%').append(String.format("%02X", b & 0xff));
                    }
                    i = end - 1;
                }
            }
        }
        return out == null ? value : out.toString();
    }
}
