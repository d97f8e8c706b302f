package dev.tollgate.auth;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test keys (generated once per JVM) and an {@link AuthRuntime} built from property lines. */
final class Fixtures {
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    static final KeyPair RSA = Jwts.rsa();
    static final KeyPair EC256 = Jwts.ec(256);
    static final KeyPair EC384 = Jwts.ec(384);
    static final KeyPair EC521 = Jwts.ec(521);
    static final String HS256 = "0123456789abcdef0123456789abcdef";
    static final String HS384 = HS256 + "0123456789abcdef";
    static final String HS512 = HS384 + "0123456789abcdef";

    private Fixtures() {
    }

    /** Static keys rs256/rs384/rs512 (one RSA key), es256/es384/es512, hs256/hs384/hs512. */
    static List<String> staticKeys() {
        List<String> lines = new ArrayList<>();
        for (String bits : List.of("256", "384", "512")) {
            lines.add("gateway.auth.jwt.keys.rs" + bits + ".algorithm = RS" + bits);
            lines.add("gateway.auth.jwt.keys.rs" + bits + ".public-key = " + oneLine(RSA));
            lines.add("gateway.auth.jwt.keys.hs" + bits + ".algorithm = HS" + bits);
            lines.add("gateway.auth.jwt.keys.hs" + bits + ".secret = "
                    + (bits.equals("256") ? HS256 : bits.equals("384") ? HS384 : HS512));
            lines.add("gateway.auth.jwt.keys.es" + bits + ".algorithm = ES" + bits);
            lines.add("gateway.auth.jwt.keys.es" + bits + ".public-key = "
                    + oneLine(bits.equals("256") ? EC256 : bits.equals("384") ? EC384 : EC521));
        }
        return lines;
    }

    private static String oneLine(KeyPair k) {
        return Jwts.pem(k.getPublic()).replace("\n", "");
    }

    static GatewayConfig config(List<String> lines) {
        List<String> all = new ArrayList<>(lines);
        all.add("gateway.services.s.instances = http://127.0.0.1:1");
        all.add("gateway.routes.r.path = /**");
        all.add("gateway.routes.r.service = s");
        return Configs.of(all.toArray(new String[0]));
    }

    static AuthRuntime authRuntime(FakeClock clock, Redis redis, List<String> lines) {
        GatewayConfig c = config(lines);
        return new AuthRuntime(c.auth(), c.redis(), redis, clock, clock);
    }
}
