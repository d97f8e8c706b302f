package dev.tollgate.cors;

import dev.tollgate.config.CorsConfig;
import dev.tollgate.http.HeaderField;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * One route's CORS policy, compiled once from its {@link CorsConfig}: answers preflights and names the headers of
 * actual responses, following the CORS protocol of the Fetch standard (§3.2). The gateway's answers never carry
 * {@code Access-Control-Allow-Origin: *} together with credentials, and name methods and headers instead of
 * {@code *} where a browser would read {@code *} literally (credentialed requests, {@code Authorization}).
 * Immutable and thread-safe.
 */
public final class CorsPolicy {
    public static final String ORIGIN = "Origin";
    public static final String REQUEST_METHOD = "Access-Control-Request-Method";
    public static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    static final String MAX_AGE = "Access-Control-Max-Age";
    static final String VARY = "Vary";
    private static final String PREFLIGHT_VARY = ORIGIN + ", " + REQUEST_METHOD + ", " + REQUEST_HEADERS;
    /** CORS-safelisted methods: a browser sends them without asking, and accepts them in any preflight answer. */
    private static final Set<String> SAFELISTED_METHODS = Set.of("GET", "HEAD", "POST");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Origins origins;
    private final boolean credentials;
    private final boolean anyMethod;
    private final Set<String> methods;
    private final String allowMethods;
    private final boolean anyHeader;
    private final Set<String> headers;
    private final String allowHeaders;
    private final String exposeHeaders;
    private final String maxAge;

    public CorsPolicy(CorsConfig config) {
        this.origins = new Origins(config.allowedOrigins());
        this.credentials = config.allowCredentials();
        this.anyMethod = config.allowedMethods().contains(CorsConfig.ANY);
        this.methods = Set.copyOf(config.allowedMethods());
        this.allowMethods = anyMethod || methods.isEmpty() ? null : String.join(", ", config.allowedMethods());
        this.anyHeader = config.allowedHeaders().contains(CorsConfig.ANY);
        this.headers = Set.copyOf(config.allowedHeaders());
        this.allowHeaders = anyHeader || headers.isEmpty() ? null : String.join(", ", config.allowedHeaders());
        this.exposeHeaders = config.exposedHeaders().isEmpty() ? null : String.join(", ", config.exposedHeaders());
        this.maxAge = config.maxAge() == null ? null : Long.toString(config.maxAge().toSeconds());
    }

    /** Whether a request is a CORS preflight: {@code OPTIONS} with {@code Origin} and the requested method. */
    public static boolean isPreflight(String method, String origin, String requestMethod) {
        return "OPTIONS".equals(method) && origin != null && requestMethod != null;
    }

    /** Whether an upstream's response header is one the gateway replaces on a CORS route. */
    public static boolean isCorsResponseHeader(String lowerCaseName) {
        return lowerCaseName.startsWith("access-control-");
    }

    /** Whether a {@code Vary} value already names {@code Origin} (or {@code *}). */
    public static boolean variesByOrigin(String vary) {
        for (String token : vary.split(",")) {
            String t = token.trim();
            if (t.equalsIgnoreCase(ORIGIN) || t.equals("*")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The answer to a preflight.
     *
     * @param origin the {@code Origin} value
     * @param requestMethod the {@code Access-Control-Request-Method} value
     * @param requestHeaders the {@code Access-Control-Request-Headers} values (comma-separated lists), maybe none
     */
    public Preflight preflight(String origin, String requestMethod, List<String> requestHeaders) {
        if (!origins.allows(origin)) {
            return Preflight.denied("This origin may not make cross-origin requests to this route.");
        }
        if (!TOKEN.matcher(requestMethod).matches() || !SAFELISTED_METHODS.contains(requestMethod) && !anyMethod
                && !methods.contains(requestMethod)) {
            return Preflight.denied("The requested method is not allowed cross-origin on this route.");
        }
        List<String> asked = new ArrayList<>();
        for (String value : requestHeaders) {
            for (String name : value.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.isEmpty()) {
                    continue;
                }
                if (!TOKEN.matcher(n).matches() || !anyHeader && !headers.contains(n)) {
                    return Preflight.denied("A requested header is not allowed cross-origin on this route.");
                }
                asked.add(n);
            }
        }
        List<HeaderField> out = new ArrayList<>(7);
        out.add(new HeaderField(ALLOW_ORIGIN, allowOrigin(origin)));
        if (credentials) {
            out.add(new HeaderField(ALLOW_CREDENTIALS, "true"));
        }
        // with credentials a browser reads * literally, so the method asked for is named instead
        String allowedMethods = anyMethod ? (credentials ? requestMethod : CorsConfig.ANY) : allowMethods;
        if (allowedMethods != null) {
            out.add(new HeaderField(ALLOW_METHODS, allowedMethods));
        }
        // * never covers Authorization (Fetch: CORS non-wildcard request-header name), so names are echoed
        String allowedHeaders = anyHeader ? (asked.isEmpty() ? null : String.join(", ", new LinkedHashSet<>(asked)))
                : allowHeaders;
        if (allowedHeaders != null) {
            out.add(new HeaderField(ALLOW_HEADERS, allowedHeaders));
        }
        if (maxAge != null) {
            out.add(new HeaderField(MAX_AGE, maxAge));
        }
        out.add(new HeaderField(VARY, PREFLIGHT_VARY));
        return new Preflight(true, null, out);
    }

    /**
     * The CORS headers of an actual response (the upstream's, or the gateway's own problem): the allowed origin,
     * credentials and exposed headers when the origin is allowed, and {@code Vary: Origin} in any case, since the
     * answer depends on it.
     *
     * @param origin the request's {@code Origin}, or null
     * @param varied whether the response's {@code Vary} already names {@code Origin}
     * @param out receives each header name and value
     */
    public void actual(String origin, boolean varied, BiConsumer<String, String> out) {
        if (origin != null && origins.allows(origin)) {
            out.accept(ALLOW_ORIGIN, allowOrigin(origin));
            if (credentials) {
                out.accept(ALLOW_CREDENTIALS, "true");
            }
            if (exposeHeaders != null) {
                out.accept(EXPOSE_HEADERS, exposeHeaders);
            }
        }
        if (!varied) {
            out.accept(VARY, ORIGIN);
        }
    }

    /** {@code *} only for a policy open to every origin without credentials; else the origin itself. */
    private String allowOrigin(String origin) {
        return origins.isAny() && !credentials ? CorsConfig.ANY : origin;
    }

    /**
     * The answer to a preflight.
     *
     * @param allowed whether the request may go ahead; if not, the gateway answers 403
     * @param detail why not, for the problem; null when allowed
     * @param headers the header fields of the {@code 204} answer when allowed, each {name, value}
     */
    public record Preflight(boolean allowed, String detail, List<HeaderField> headers) {
        public Preflight {
            headers = List.copyOf(headers);
        }

        static Preflight denied(String detail) {
            return new Preflight(false, detail, List.of());
        }
    }
}
