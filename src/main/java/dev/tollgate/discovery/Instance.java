package dev.tollgate.discovery;

import java.net.URI;
import java.util.Locale;

/**
 * One upstream instance: scheme, host and port, plus an optional base path prefixed to forwarded paths.
 *
 * @param scheme {@code http} or {@code https}
 * @param host host name or IP literal (IPv6 without brackets)
 * @param port the port
 * @param basePath path prefix without trailing slash, or empty
 */
public record Instance(String scheme, String host, int port, String basePath) {
    public static Instance of(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new Instance(scheme, host, port, path);
    }

    /** The {@code host[:port]} form for a Host header, omitting the scheme's default port. */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        boolean defaultPort = scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return defaultPort ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return scheme + "://" + authority() + basePath;
    }
}
