package dev.tollgate.bench;

import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.Jwts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;

/**
 * The feature benchmark's helpers in one JVM, for {@code bench/run.sh} (FEATURES=1): an RS256 key pair whose
 * public half is written as gateway properties, one token signed with it (valid for a day), and a Consul agent
 * played by {@link FakeConsul} (the test server; no Consul agent is needed) on which one instance of
 * service {@code bench-upstream} is registered at the benchmark's nginx upstream. Runs until stopped; prints a
 * line starting with {@code READY}.
 *
 * <p>Usage: {@code FeatureFixturesMain <upstream port> <out dir>}; writes {@code <out dir>/features.properties}
 * (the key and {@code gateway.consul.address}) and {@code <out dir>/token.txt}.
 */
public final class FeatureFixturesMain {
    private FeatureFixturesMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: FeatureFixturesMain <upstream port> <out dir>");
            System.exit(2);
        }
        int upstreamPort = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);

        KeyPair rsa = Jwts.rsa();
        Instant now = Instant.now();
        String token = Jwts.claims("bench", now, "bench-user").withExpiresAt(now.plus(Duration.ofDays(1)))
                .withClaim("roles", java.util.List.of("user")).sign(Jwts.rs256(rsa));

        FakeConsul consul = new FakeConsul();
        consul.register("bench-upstream", "bench-upstream-1", upstreamPort);

        String props = "# Written by FeatureFixturesMain for bench/run.sh\n"
                + "gateway.auth.jwt.keys.bench.algorithm = RS256\n"
                + "gateway.auth.jwt.keys.bench.public-key = " + Jwts.pem(rsa.getPublic()).replace("\n", "") + "\n"
                + "gateway.consul.address = " + consul.address() + "\n";
        Files.writeString(out.resolve("features.properties"), props, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("token.txt"), token, StandardCharsets.US_ASCII);
        System.out.println("READY feature-fixtures consul=" + consul.address() + " service=bench-upstream -> 127.0.0.1:"
                + upstreamPort);
        Thread.currentThread().join();
    }
}
