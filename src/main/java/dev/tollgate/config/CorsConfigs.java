package dev.tollgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and validates a route's {@code cors.*} keys into a {@link CorsConfig}. Stateless. */
final class CorsConfigs {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String LABEL = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
    private static final Pattern ORIGIN = Pattern.compile("(?<scheme>[a-z][a-z0-9+.-]*)://((\\*\\.)?" + LABEL
            + "(\\." + LABEL + ")*|\\[[0-9a-f:.]+\\])(:(?<port>[0-9]{1,5}))?");
    private static final String ORIGINS = "origins like https://app.example.com or https://*.example.com "
            + "(scheme, host and optional port; no path, no trailing /), or *";
    private static final String[] KEYS = {"allowed-origins", "allowed-methods", "allowed-headers", "exposed-headers",
        "allow-credentials", "max-age"};

    private CorsConfigs() {
    }

    /**
     * The route's CORS policy, or null when it has none.
     *
     * @param p the route's key prefix, {@code gateway.routes.<name>.}
     */
    static CorsConfig route(Settings s, String p) {
        String c = p + "cors.";
        List<String> origins = origins(s, c + "allowed-origins");
        List<String> methods = methods(s, c + "allowed-methods");
        List<String> headers = names(s, c + "allowed-headers", true);
        List<String> exposed = names(s, c + "exposed-headers", false);
        boolean credentials = s.bool(c + "allow-credentials");
        Duration maxAge = s.duration(c + "max-age", null);
        if (maxAge != null && maxAge.toMillis() % 1000 != 0) {
            s.problem(c + "max-age", s.string(c + "max-age"), "whole seconds (e.g. 600s, 10m, 2h)");
        }
        if (origins.isEmpty()) {
            if (s.string(c + "allowed-origins") != null) {
                return null; // every entry was invalid, and each is reported
            }
            for (String key : KEYS) {
                if (s.isSet(c + key)) {
                    s.problem(c + "allowed-origins", null, "a value when other " + c + "* keys are set: " + ORIGINS);
                    break;
                }
            }
            return null;
        }
        if (credentials && origins.contains(CorsConfig.ANY)) {
            // Fetch's CORS check fails a credentialed request answered with *; echoing every origin instead would
            // let any site read responses made with the user's cookies
            s.problem(c + "allowed-origins", CorsConfig.ANY, "origins named or matched by a pattern when "
                    + c + "allow-credentials = true (browsers refuse * with credentials)");
        }
        if (credentials && exposed.contains(CorsConfig.ANY)) {
            s.problem(c + "exposed-headers", CorsConfig.ANY, "header names when " + c
                    + "allow-credentials = true (for credentialed requests browsers read * as a header name)");
        }
        return new CorsConfig(origins, methods, headers, exposed, credentials, maxAge);
    }

    private static List<String> origins(Settings s, String key) {
        List<String> out = new ArrayList<>();
        for (String raw : s.list(key)) {
            String origin = raw.toLowerCase(Locale.ROOT);
            Matcher m = ORIGIN.matcher(origin);
            if (origin.equals(CorsConfig.ANY)) {
                out.add(origin);
            } else if (!m.matches()) {
                s.problem(key, raw, ORIGINS);
            } else if (m.group("port") != null && (isDefaultPort(m.group("scheme"), m.group("port"))
                    || Integer.parseInt(m.group("port")) == 0 || Integer.parseInt(m.group("port")) > 65535)) {
                s.problem(key, raw, "a port from 1 to 65535, left out when it is the scheme's default "
                        + "(browsers send https://app.example.com, never :443)");
            } else {
                out.add(origin);
            }
        }
        return single(s, key, out);
    }

    private static boolean isDefaultPort(String scheme, String port) {
        return scheme.equals("http") && port.equals("80") || scheme.equals("https") && port.equals("443");
    }

    private static List<String> methods(Settings s, String key) {
        List<String> out = new ArrayList<>();
        for (String m : s.list(key)) {
            if (!TOKEN.matcher(m).matches()) {
                s.problem(key, m, "HTTP method names (e.g. PUT, DELETE), or *");
            } else {
                out.add(m.toUpperCase(Locale.ROOT));
            }
        }
        return single(s, key, out);
    }

    private static List<String> names(Settings s, String key, boolean lowerCase) {
        List<String> out = new ArrayList<>();
        for (String n : s.list(key)) {
            if (!TOKEN.matcher(n).matches()) {
                s.problem(key, n, "header names, or *");
            } else {
                out.add(lowerCase ? n.toLowerCase(Locale.ROOT) : n);
            }
        }
        return single(s, key, out);
    }

    /** {@code *} stands for everything, so it is the only entry when it appears. */
    private static List<String> single(Settings s, String key, List<String> values) {
        if (values.size() > 1 && values.contains(CorsConfig.ANY)) {
            s.problem(key, String.join(", ", values), "either * alone or a list without *");
            return List.of(CorsConfig.ANY);
        }
        return values;
    }
}
