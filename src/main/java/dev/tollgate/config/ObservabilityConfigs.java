package dev.tollgate.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Parses the admin endpoint and access-log sections. Stateless. */
final class ObservabilityConfigs {
    static final int MIN_TOKEN_LENGTH = 24;
    private static final Pattern ADMIN_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

    private ObservabilityConfigs() {
    }

    static AdminConfig admin(Settings s) {
        boolean enabled = s.bool("gateway.admin.enabled");
        int port = 0; // any port
        if (!s.text("gateway.admin.port").equals("any")) {
            port = s.integer("gateway.admin.port", 1, 65535);
        }
        List<Cidr> allowed = new ArrayList<>();
        for (String v : s.list("gateway.admin.allowed-addresses")) {
            Cidr c = Cidr.parse(v);
            if (c == null) {
                s.problem("gateway.admin.allowed-addresses", v, "IP addresses or CIDR blocks (e.g. 127.0.0.1/32)");
            } else {
                allowed.add(c);
            }
        }
        String token = Objects.requireNonNullElse(s.string("gateway.admin.token"), ""); // empty: none
        if (enabled && token.length() < MIN_TOKEN_LENGTH) {
            // the value itself is never echoed: it is a secret
            s.problem("gateway.admin.token", token.isEmpty() ? null : "****",
                    "a secret of at least " + MIN_TOKEN_LENGTH + " characters when gateway.admin.enabled is true");
        }
        if (enabled && allowed.isEmpty()) {
            s.problem("gateway.admin.allowed-addresses", null, "at least one address when gateway.admin.enabled is true");
        }
        String path = s.text("gateway.admin.path");
        if (!ADMIN_PATH.matcher(path).matches()) {
            s.problem("gateway.admin.path", path, "a literal path prefix like /_tollgate (no trailing /)");
            path = s.defaultValue("gateway.admin.path");
        }
        return new AdminConfig(enabled, port, allowed, token, path);
    }

    static AccessLogConfig accessLog(Settings s) {
        String path = s.text(AccessLogConfig.KEY_PATH);
        if (!path.equals(AccessLogConfig.CONTAINER) && !path.equals(AccessLogConfig.STDOUT) && !isFilePath(path)) {
            s.problem(AccessLogConfig.KEY_PATH, path, AccessLogConfig.CONTAINER + ", " + AccessLogConfig.STDOUT
                    + " or an absolute file path (e.g. /var/log/tollgate/access.json)");
            path = s.defaultValue(AccessLogConfig.KEY_PATH);
        }
        return new AccessLogConfig(s.bool("gateway.access-log.enabled"),
                s.integer("gateway.access-log.queue-size", 1, 1 << 20), path);
    }

    /** An absolute path that names a file, not a directory; relative ones would depend on the working directory. */
    private static boolean isFilePath(String path) {
        try {
            Path p = Path.of(path);
            return p.isAbsolute() && p.getFileName() != null && !path.endsWith("/");
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
