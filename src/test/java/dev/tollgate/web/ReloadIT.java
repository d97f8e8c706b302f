package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.management.GatewayMXBean;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WarServer;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMX;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole-configuration reload of the real WAR, invoked through the {@code tollgate:type=Gateway} MXBean: every
 * reloaded kind takes effect, an invalid file changes nothing, and reloads under load neither fail a request nor
 * let one request mix the settings of two configurations.
 */
class ReloadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_ONE = "reload-it-key-one-0123456789";
    private static final String KEY_TWO = "reload-it-key-two-0123456789";
    private static final String ISSUER_A = "https://a.example/";
    private static final String ISSUER_B = "https://b.example/";
    private static final String B_SECRET = "reload-it-provider-b-secret-0123456789";
    private static UpstreamServer a;
    private static UpstreamServer b;
    private static WarServer gateway;
    private static GatewayMXBean gw;

    @BeforeAll
    static void start() throws Exception {
        a = new UpstreamServer("A");
        b = new UpstreamServer("B");
        gateway = new WarServer(Files.createTempFile("tollgate-reload", ".properties"), false, true)
                .start(kinds(false));
        gw = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                new ObjectName("tollgate:type=Gateway"), GatewayMXBean.class);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        a.close();
        b.close();
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Before ({@code false}) and after ({@code true}) the reload of every kind. */
    private static String kinds(boolean after) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "gateway.services.a.instances = " + a.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = " + (after ? "b" : "a"),
                "gateway.routes.api.strip-prefix = /api",
                "gateway.routes.api.cors.allowed-origins = " + (after ? "https://b.example" : "https://a.example"),
                "gateway.routes.limited.path = /limited/**",
                "gateway.routes.limited.service = a",
                "gateway.routes.limited.rate-limit = few",
                "gateway.rate-limit.rules.few.limit = " + (after ? "100" : "2"),
                "gateway.rate-limit.rules.few.window = 1h",
                "gateway.routes.keyed.path = /keyed/**",
                "gateway.routes.keyed.service = a",
                "gateway.routes.keyed.auth = api-key",
                "gateway.auth.api-keys.one.sha256 = " + sha256(KEY_ONE),
                "gateway.auth.api-keys.one.owner = one"));
        if (after) {
            lines.add("gateway.services.b.instances = " + b.uri());
            lines.add("gateway.auth.api-keys.two.sha256 = " + sha256(KEY_TWO));
            lines.add("gateway.auth.api-keys.two.owner = two");
        }
        return String.join("\n", lines);
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        return gateway.get(gateway.publicUri(path), headers);
    }

    @Test
    void everyKindTakesEffectAndAnInvalidFileChangesNothing() throws Exception {
        gateway.rewrite(kinds(false));
        gw.reloadConfig();
        assertThat(get("/api/x").headers().firstValue("X-Upstream")).hasValue("A");
        assertThat(get("/api/x", "Origin", "https://b.example").headers()
                .firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(get("/keyed/x", "X-API-Key", KEY_TWO).statusCode()).isEqualTo(401);
        int limited = 0;
        while (get("/limited/x").statusCode() == 200) {
            limited++;
            assertThat(limited).as("the limit of 2 holds").isLessThanOrEqualTo(2);
        }
        assertThat(get("/limited/x").statusCode()).isEqualTo(429);

        gateway.rewrite(kinds(true));
        String result = gw.reloadConfig();
        assertThat(result).startsWith("applied: 3 routes; routes: added [], removed [], changed [api]")
                .contains("services: added [b], removed [], changed []")
                .contains("rules: added [], removed [], changed [few]")
                .contains("api-keys: added [two], removed [], changed []")
                .doesNotContain("needs a restart").doesNotContain(sha256(KEY_TWO));
        assertThat(get("/api/x").headers().firstValue("X-Upstream")).as("the route's new service").hasValue("B");
        assertThat(get("/api/x", "Origin", "https://b.example").headers()
                .firstValue("Access-Control-Allow-Origin")).hasValue("https://b.example");
        assertThat(get("/keyed/x", "X-API-Key", KEY_TWO).statusCode()).as("the added key").isEqualTo(200);
        assertThat(get("/keyed/x", "X-API-Key", KEY_ONE).statusCode()).isEqualTo(200);
        HttpResponse<String> r = get("/limited/x");
        assertThat(r.statusCode()).as("the raised limit").isEqualTo(200);
        assertThat(r.headers().firstValue("RateLimit-Policy").orElse("")).contains("q=100");

        gateway.rewrite(kinds(true).replace("gateway.routes.api.service = b", "gateway.routes.api.service = nope")
                + "\ngateway.rate-limit.rules.few.limit = many");
        assertThatThrownBy(gw::reloadConfig)
                .hasMessageContaining("the running one is kept")
                .hasMessageContaining("gateway.routes.api.service")
                .hasMessageContaining("gateway.rate-limit.rules.few.limit");
        assertThat(gw.getLastReload()).contains("refused");
        assertThat(get("/api/x").headers().firstValue("X-Upstream")).as("running config kept").hasValue("B");
        assertThat(get("/keyed/x", "X-API-Key", KEY_TWO).statusCode()).isEqualTo(200);
        assertThat(get("/limited/x").statusCode()).isEqualTo(200);
    }

    /** The header an API key comes in reloads with the keys, without a restart. */
    @Test
    void theApiKeyHeaderReloads() throws Exception {
        gateway.rewrite(kinds(false));
        gw.reloadConfig();
        assertThat(get("/keyed/x", "X-API-Key", KEY_ONE).statusCode()).isEqualTo(200);

        gateway.rewrite(kinds(false) + "\ngateway.auth.api-key.header = X-Tenant-Key");
        assertThat(gw.reloadConfig()).doesNotContain("needs a restart");
        assertThat(get("/keyed/x", "X-Tenant-Key", KEY_ONE).statusCode()).isEqualTo(200);
        HttpResponse<String> old = get("/keyed/x", "X-API-Key", KEY_ONE);
        assertThat(old.statusCode()).as("the old header no longer counts").isEqualTo(401);
        assertThat(old.headers().firstValue("WWW-Authenticate").orElse("")).contains("X-Tenant-Key");

        gateway.rewrite(kinds(false));
        gw.reloadConfig();
        assertThat(get("/keyed/x", "X-API-Key", KEY_ONE).statusCode()).isEqualTo(200);
    }

    private static String providers(String jwksUri, boolean withB) {
        List<String> lines = new ArrayList<>(List.of(
                "gateway.services.a.instances = " + a.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = a",
                "gateway.routes.api.auth = jwt",
                "gateway.auth.providers.a.jwks-uri = " + jwksUri,
                "gateway.auth.providers.a.jwks-refresh-interval = 200ms",
                "gateway.auth.providers.a.issuer = " + ISSUER_A));
        if (withB) {
            lines.addAll(List.of("gateway.auth.providers.b.keys.kb.algorithm = HS256",
                    "gateway.auth.providers.b.keys.kb.secret = " + B_SECRET,
                    "gateway.auth.providers.b.issuer = " + ISSUER_B));
        }
        return String.join("\n", lines);
    }

    private static String signed(String kid, KeyPair key) {
        Instant now = Instant.now();
        return Jwts.claims(kid, now, "alice").withIssuer(ISSUER_A).withExpiresAt(now.plus(Duration.ofMinutes(10)))
                .sign(Jwts.rs256(key));
    }

    /**
     * The identity providers reload: a provider's new JWKS and an added provider take effect for the next request,
     * a token only the replaced key set accepted is refused, and the replaced provider's JWKS refresh stops.
     */
    @Test
    void identityProvidersReloadAndTheReplacedOnesStop() throws Exception {
        KeyPair one = Jwts.rsa();
        KeyPair two = Jwts.rsa();
        try (JwksServer first = new JwksServer(Jwts.jwks(Jwts.jwk("one", one.getPublic(), "RS256")));
             JwksServer second = new JwksServer(Jwts.jwks(Jwts.jwk("two", two.getPublic(), "RS256")))) {
            gateway.rewrite(providers(first.uri(), false));
            gw.reloadConfig();
            String fromOne = signed("one", one);
            assertThat(get("/api/x", "Authorization", "Bearer " + fromOne).statusCode()).isEqualTo(200);
            String fromB = Jwts.claims("kb", Instant.now(), "bob").withIssuer(ISSUER_B)
                    .withExpiresAt(Instant.now().plus(Duration.ofMinutes(10))).sign(Algorithm.HMAC256(B_SECRET));
            assertThat(get("/api/x", "Authorization", "Bearer " + fromB).statusCode()).isEqualTo(401);

            gateway.rewrite(providers(second.uri(), true));
            assertThat(gw.reloadConfig()).contains("providers: added [b], removed [], changed [a]")
                    .doesNotContain("needs a restart").doesNotContain(B_SECRET);
            assertThat(get("/api/x", "Authorization", "Bearer " + signed("two", two)).statusCode())
                    .as("the new key set").isEqualTo(200);
            assertThat(get("/api/x", "Authorization", "Bearer " + fromB).statusCode()).as("the added provider")
                    .isEqualTo(200);
            assertThat(a.last().header("X-User-Id")).isEqualTo("bob");
            assertThat(get("/api/x", "Authorization", "Bearer " + fromOne).statusCode())
                    .as("cached under the replaced settings, refused under the new ones").isEqualTo(401);
            int fetched = first.requests();
            Thread.sleep(1000);
            assertThat(first.requests()).as("the replaced provider's JWKS refresh stopped").isEqualTo(fetched);
            assertThat(second.requests()).as("the new provider's refresh runs").isGreaterThan(1);
        }
    }

    /** The user-context headers reload: the next request's caller arrives under the new name, never forged. */
    @Test
    void theUserContextHeadersReload() throws Exception {
        gateway.rewrite(kinds(false));
        gw.reloadConfig();
        assertThat(get("/keyed/x", "X-API-Key", KEY_ONE, "X-Owner", "forged").statusCode()).isEqualTo(200);
        assertThat(a.last().header("X-Api-Key-Owner")).isEqualTo("one");
        assertThat(a.last().header("X-Owner")).as("not a user-context header yet").isEqualTo("forged");

        gateway.rewrite(kinds(false) + "\ngateway.auth.headers.api-key-owner = X-Owner");
        assertThat(gw.reloadConfig()).doesNotContain("needs a restart");
        assertThat(get("/keyed/x", "X-API-Key", KEY_ONE, "X-Owner", "forged").statusCode()).isEqualTo(200);
        assertThat(a.last().headers("X-Owner")).containsExactly("one");
        assertThat(a.last().header("X-Api-Key-Owner")).isNull();

        gateway.rewrite(kinds(false) + "\ngateway.auth.cache.redis-timeout = 1s");
        assertThat(gw.reloadConfig()).as("the token cache's timeout reloads").doesNotContain("needs a restart");
        gateway.rewrite(kinds(false) + "\ngateway.http-client.io-threads = 3");
        assertThat(gw.reloadConfig()).contains("gateway.http-client.io-threads: changed from \"0\" to \"3\"; "
                + "needs a restart");
        gateway.rewrite(kinds(false));
        gw.reloadConfig();
    }

    /** Forwarding and the request limits reload: the next request is checked and forwarded under the new ones. */
    @Test
    void forwardingAndRequestLimitsReload() throws Exception {
        gateway.rewrite(kinds(false));
        gw.reloadConfig();
        String[] many = new String[16];
        for (int i = 0; i < 8; i++) {
            many[2 * i] = "X-Extra-" + i;
            many[2 * i + 1] = "v";
        }
        assertThat(get("/api/x", many).statusCode()).isEqualTo(200);
        assertThat(a.last().header("Via")).isEqualTo("1.1 tollgate");

        gateway.rewrite(kinds(false) + "\ngateway.forwarding.via = edge-b\ngateway.limits.max-header-count = 6");
        assertThat(gw.reloadConfig()).doesNotContain("needs a restart");
        HttpResponse<String> ok = get("/api/x");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(a.last().header("Via")).as("the new Via name upstream").isEqualTo("1.1 edge-b");
        assertThat(ok.headers().firstValue("Via")).hasValue("1.1 edge-b");
        HttpResponse<String> refused = get("/api/x", many);
        assertThat(refused.statusCode()).as("the new header count limit").isEqualTo(431);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        gateway.rewrite(kinds(false));
        gw.reloadConfig();
        assertThat(get("/api/x", many).statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestInFlightKeepsTheTimeoutsOfItsConfiguration() throws Exception {
        String route = String.join("\n", "gateway.services.a.instances = " + a.uri(),
                "gateway.routes.api.path = /api/**", "gateway.routes.api.service = a",
                "gateway.routes.api.strip-prefix = /api");
        gateway.rewrite(route + "\ngateway.routes.api.response-timeout = 20s");
        gw.reloadConfig();
        int seen = a.count();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(gateway.publicUri("/api/slow?ms=1500")).build(),
                HttpResponse.BodyHandlers.ofString());
        Poll.until(Duration.ofSeconds(10), () -> a.count() != seen);
        gateway.rewrite(route + "\ngateway.routes.api.response-timeout = 300ms");
        assertThat(gw.reloadConfig()).contains("changed [api]");
        assertThat(get("/api/slow?ms=1500").statusCode()).as("a new request has the new timeout").isEqualTo(504);
        assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode())
                .as("the request that started before the reload keeps its 20 s").isEqualTo(200);
    }

    private static String loadConfig(String which) {
        return String.join("\n",
                "gateway.services.a.instances = " + a.uri(),
                "gateway.services.b.instances = " + b.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = " + which.toLowerCase(),
                "gateway.routes.api.request-headers.set.X-Config = " + which);
    }

    @Test
    void reloadsUnderLoadFailNoRequestAndNeverMixTwoConfigurations() throws Exception {
        gateway.rewrite(loadConfig("A"));
        gw.reloadConfig();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger[] byConfig = {new AtomicInteger(), new AtomicInteger()};
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        HttpClient http = HttpClient.newHttpClient();
        Thread[] clients = new Thread[6];
        for (int t = 0; t < clients.length; t++) {
            clients[t] = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.publicUri("/api/load")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        String problem = check(r);
                        if (problem != null) {
                            wrong.add(problem);
                        } else {
                            byConfig[r.headers().firstValue("X-Upstream").orElseThrow().equals("A") ? 0 : 1]
                                    .incrementAndGet();
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    }
                    answered.incrementAndGet();
                }
            });
            clients[t].start();
        }
        int reloads = 0;
        try {
            // at least 8 reloads and 2,000 requests, each reload while requests are under way
            while (reloads < 8 || answered.get() < 2000) {
                int seen = answered.get();
                while (answered.get() < seen + 50 && wrong.isEmpty()) {
                    Thread.onSpinWait();
                }
                if (!wrong.isEmpty()) {
                    break;
                }
                gateway.rewrite(loadConfig(reloads % 2 == 0 ? "B" : "A"));
                assertThat(gw.reloadConfig()).startsWith("applied").contains("changed [api]");
                reloads++;
            }
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
        }
        assertThat(wrong).as("failed or mixed answers").isEmpty();
        assertThat(answered.get()).isGreaterThanOrEqualTo(2000);
        assertThat(byConfig[0].get()).as("answers under A").isPositive();
        assertThat(byConfig[1].get()).as("answers under B").isPositive();
    }

    /** Null when the answer is a 200 from the instance of the configuration whose header the upstream saw. */
    private static String check(HttpResponse<String> r) throws Exception {
        if (r.statusCode() != 200) {
            return "status " + r.statusCode() + ": " + r.body();
        }
        JsonNode body = JSON.readTree(r.body());
        String instance = body.get("upstream").asText();
        List<String> configs = new ArrayList<>();
        for (JsonNode h : body.get("headers")) {
            if (h.get(0).asText().equalsIgnoreCase("X-Config")) {
                configs.add(h.get(1).asText());
            }
        }
        return configs.equals(List.of(instance)) ? null : "instance " + instance + " saw X-Config " + configs;
    }
}
