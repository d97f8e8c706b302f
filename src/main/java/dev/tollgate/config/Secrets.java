package dev.tollgate.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which configuration values are secrets, and how a value is shown in a log line or an error. The secret keys
 * are declared once, in {@code secret-keys.txt} beside the defaults; a declared key's value is shown as
 * {@code ****}. Every other value is shown without the user info of any URI in it. Immutable, thread-safe.
 */
public final class Secrets {
    /** What a masked value is shown as. */
    public static final String MASK = "****";
    static final String RESOURCE = "/dev/tollgate/config/secret-keys.txt";
    private static final Secrets DECLARED = read();

    private final List<Pattern> keys;

    private Secrets(List<Pattern> keys) {
        this.keys = List.copyOf(keys);
    }

    /** The secret keys declared in the WAR. */
    public static Secrets declared() {
        return DECLARED;
    }

    /** Whether the key's value is a secret. */
    public boolean isSecret(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        return keys.stream().anyMatch(p -> p.matcher(k).matches());
    }

    /** The value as a log line or an error may show it: {@link #MASK} for a secret, else without user info. */
    public String shown(String key, String value) {
        if (value == null) {
            return null;
        }
        return isSecret(key) ? MASK : withoutUserInfo(value);
    }

    /**
     * The value with the user info of every URI in it masked, whether or not the URI is well-formed: after each
     * {@code ://}, everything up to the last {@code @} before the next {@code ://} (a password may hold
     * {@code /}, {@code ,} or {@code @}). Text before the first {@code ://} that holds an {@code @} is masked up
     * to it too (the tail of a URI list split at a comma inside a password). A path with an {@code @} is
     * masked more than needed, which is the safe side.
     */
    public static String withoutUserInfo(String value) {
        StringBuilder out = new StringBuilder(value.length());
        int from = 0;
        int scheme = value.indexOf("://");
        if (scheme < 0) {
            int at = value.lastIndexOf('@');
            return at < 0 ? value : MASK + value.substring(at);
        }
        int lead = value.lastIndexOf('@', scheme);
        if (lead >= 0) {
            out.append(MASK);
            from = lead;
        }
        while (scheme >= 0) {
            int start = scheme + 3;
            int next = value.indexOf("://", start);
            int end = next < 0 ? value.length() : next;
            int at = value.lastIndexOf('@', end - 1);
            out.append(value, from, start);
            if (at >= start) {
                out.append(MASK);
                from = at;
            } else {
                from = start;
            }
            scheme = next;
        }
        return out.append(value, from, value.length()).toString();
    }

    private static Secrets read() {
        List<Pattern> keys = new ArrayList<>();
        try (InputStream in = Secrets.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is missing");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String key = line.trim();
                if (!key.isEmpty() && !key.startsWith("#")) {
                    keys.add(pattern(key.toLowerCase(Locale.ROOT)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Secrets(keys);
    }

    /** A declared key as a pattern: {@code *} is one name (no dot), everything else is literal. */
    private static Pattern pattern(String key) {
        StringBuilder re = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (re.length() > 0) {
                re.append("[^.]+");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }
}
