package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    private static final String ROUTE = "gateway.routes.orders.";
    private static final String DURATION_EXPECTED = ": expected a duration (e.g. 500ms, 5s, 1m)";
    private static final String SIZE_EXPECTED = ": expected a size (e.g. 512KB, 10MB, 1GB)";

    @TempDir
    Path dir;

    /** A minimal valid configuration: one service, one route. */
    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("gateway.services.s.instances", "http://10.0.0.5:8080");
        m.put(ROUTE + "path", "/api/orders/**");
        m.put(ROUTE + "service", "s");
        return m;
    }

    private static Map<String, String> minimalWith(String... keyValues) {
        Map<String, String> m = minimal();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static GatewayConfig load(Map<String, String> system) {
        return ConfigLoader.load(null, null, system, Map.of());
    }

    private static List<String> problems(Map<String, String> system) {
        return problems(() -> load(system));
    }

    private static List<String> problems(Runnable load) {
        ConfigException e = catchThrowableOfType(ConfigException.class, load::run);
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).contains(e.problems().get(0));
        return e.problems();
    }

    private static RouteConfig route(GatewayConfig config) {
        return config.routes().stream().filter(r -> r.name().equals("orders")).findFirst().orElseThrow();
    }

    private Path file(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return p;
    }

    // --- defaults --------------------------------------------------------------------------------------------

    @Test
    void appliesTheBuiltInDefaults() {
        GatewayConfig c = load(minimal());

        assertThat(c.proxy().limits())
                .isEqualTo(new LimitsConfig(8192, 100, true, 10L << 20, 256, Duration.ofSeconds(5)));
        assertThat(c.proxy().forwarding().trustedProxies()).isEmpty();
        assertThat(c.proxy().forwarding().via()).isEqualTo("tollgate");
        assertThat(c.proxy().httpClient()).isEqualTo(new HttpClientConfig(512, 256, Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30), 0));
        assertThat(c.operations().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.operations().jmxEnabled()).isTrue();
        assertThat(c.effective()).containsEntry("gateway.limits.max-body-size", "10MB")
                .containsEntry(ROUTE + "path", "/api/orders/**");
    }

    @Test
    void routesAndServicesTakeTheirDefaultsFromTheGlobalSettings() {
        GatewayConfig c = load(minimalWith(
                "gateway.http-client.connect-timeout", "3s",
                "gateway.http-client.response-timeout", "40s",
                "gateway.limits.max-body-size", "1MB"));

        RouteConfig r = route(c);
        assertThat(r.match().path()).isEqualTo("/api/orders/**");
        assertThat(r.match().segments()).containsExactly("api", "orders", "**");
        assertThat(r.match().host()).isNull();
        assertThat(r.match().methods()).isEmpty();
        assertThat(r.target().service()).isEqualTo("s");
        assertThat(r.target().stripPrefix()).isEmpty();
        assertThat(r.target().addPrefix()).isEmpty();
        assertThat(r.target().preserveHost()).isFalse();
        assertThat(r.limits().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.limits().responseTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(r.limits().maxBodySize()).isEqualTo(1L << 20);
        assertThat(r.headers().request()).isEqualTo(HeaderRules.NONE);
        assertThat(r.headers().response()).isEqualTo(HeaderRules.NONE);

        ServiceConfig s = c.upstreams().services().get("s");
        assertThat(s.discovery()).isEqualTo(ServiceConfig.Discovery.STATIC);
        assertThat(s.loadBalancer()).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(s.instances()).containsExactly(URI.create("http://10.0.0.5:8080"));
    }

    @Test
    void readsEveryRouteSetting() {
        GatewayConfig c = load(minimalWith(
                ROUTE + "host", "API.Example.com",
                ROUTE + "methods", "GET, post",
                ROUTE + "strip-prefix", "/api",
                ROUTE + "add-prefix", "/v2",
                ROUTE + "preserve-host", "true",
                ROUTE + "connect-timeout", "250ms",
                ROUTE + "response-timeout", "1m",
                ROUTE + "max-body-size", "512KB"));

        RouteConfig r = route(c);
        assertThat(r.match().host()).isEqualTo("api.example.com");
        assertThat(r.match().methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(r.target().stripPrefix()).isEqualTo("/api");
        assertThat(r.target().addPrefix()).isEqualTo("/v2");
        assertThat(r.target().preserveHost()).isTrue();
        assertThat(r.limits().connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(r.limits().responseTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(r.limits().maxBodySize()).isEqualTo(512L << 10);
    }

    // --- all problems at once ----------------------------------------------------------------------------------

    @Test
    void reportsEveryProblemAtOnceEachNamingKeyValueAndExpectation() {
        List<String> problems = problems(minimalWith(
                ROUTE + "response-timeout", "5 sec",
                ROUTE + "timeout", "5s",
                ROUTE + "service", "payments"));

        assertThat(problems).containsExactlyInAnyOrder(
                "gateway.routes.orders.response-timeout = \"5 sec\"" + DURATION_EXPECTED,
                "gateway.routes.orders.timeout: unknown key",
                "gateway.routes.orders.service = \"payments\": expected one of the configured services [s]");
    }

    @Test
    void exceptionMessageCountsAndListsTheProblems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(minimalWith(
                "gateway.limits.max-header-count", "many",
                "gateway.metrics.jmx.enabled", "yes")));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "gateway.limits.max-header-count = \"many\": expected a whole number from 4 to 10000",
                "gateway.metrics.jmx.enabled = \"yes\": expected true or false");
        assertThat(e.getMessage()).startsWith("invalid gateway configuration (2 problems):")
                .contains(e.problems().get(0), e.problems().get(1));
    }

    @Test
    void problemsListIsImmutable() {
        ConfigException e = new ConfigException(new ArrayList<>(List.of("a")));
        assertThat(e.problems()).isUnmodifiable();
        assertThat(e.getMessage()).startsWith("invalid gateway configuration (1 problem):");
    }

    @Test
    void reportsProblemsInGlobalSectionsRoutesAndServicesTogether() {
        List<String> problems = problems(minimalWith(
                "gateway.http-client.max-connections", "0",
                "gateway.forwarding.trusted-proxies", "10.0.0.0/33",
                "gateway.services.s.load-balancer", "random",
                ROUTE + "max-body-size", "lots"));

        assertThat(problems).containsExactlyInAnyOrder(
                "gateway.http-client.max-connections = \"0\": expected a whole number from 1 to 100000",
                "gateway.forwarding.trusted-proxies = \"10.0.0.0/33\": expected IP addresses or CIDR blocks (e.g. 10.0.0.0/8)",
                "gateway.services.s.load-balancer = \"random\": expected round-robin, weighted or least-request",
                "gateway.routes.orders.max-body-size = \"lots\"" + SIZE_EXPECTED);
    }

    // --- unknown keys ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "gateway.limits.max-body",
        "gateway.http-client.maxConnections",
        "gateway.routes.orders.strip_prefix",
        "gateway.services.s.instance",
        "gateway.routes.orders.request-headers.rename.X-A",
        "gateway.routes.orders.request-headers.set",
        "gateway.unknown",
    })
    void rejectsUnknownKeysWithoutShowingTheirValues(String key) {
        assertThat(problems(minimalWith(key, "v4lue"))).singleElement().asString()
                .startsWith(key + ": unknown key").doesNotContain("v4lue");
    }

    @ParameterizedTest
    @CsvSource({
        "gateway.http-client.maxConnections, gateway.http-client.max-connections",
        "gateway.routes.orders.strip_prefix, gateway.routes.orders.strip-prefix",
        "gateway.services.s.instance, gateway.services.s.instances",
    })
    void suggestsTheKnownKeyAnUnknownOneIsCloseTo(String key, String known) {
        assertThat(problems(minimalWith(key, "1")))
                .containsExactly(key + ": unknown key (did you mean " + known + "?)");
    }

    @Test
    void ignoresSystemPropertiesOutsideTheGatewayNamespace() {
        GatewayConfig c = load(minimalWith("java.version", "17", "gatewayx.y", "1", "user.dir", "/tmp"));
        assertThat(c.effective()).doesNotContainKeys("java.version", "gatewayx.y", "user.dir");
    }

    @Test
    void gatewayConfigSystemPropertyIsNotAnUnknownKey() throws IOException {
        Path f = file("g.properties", "gateway.forwarding.via = from-file");
        GatewayConfig c = load(minimalWith(ConfigLoader.CONFIG_KEY, f.toString()));
        assertThat(c.proxy().forwarding().via()).isEqualTo("from-file");
    }

    // --- sources and precedence --------------------------------------------------------------------------------

    @Test
    void laterSourcesOverrideEarlierOnesDefaultsFileSystemEnvironment() throws IOException {
        Path f = file("gateway.properties",
                "gateway.services.s.instances = http://10.0.0.5:8080",
                "gateway.routes.orders.path = /api/orders/**",
                "gateway.routes.orders.service = s",
                "gateway.routes.orders.response-timeout = 11s",
                "gateway.http-client.max-connections = 100",
                "gateway.http-client.max-connections-per-route = 50",
                "gateway.http-client.pool-timeout = 7s");
        Map<String, String> system = Map.of(
                ConfigLoader.CONFIG_KEY, f.toString(),
                "gateway.http-client.max-connections-per-route", "60",
                "gateway.http-client.pool-timeout", "8s");
        Map<String, String> env = Map.of(
                "GATEWAY_HTTP_CLIENT_POOL_TIMEOUT", "9s",
                "GATEWAY_SHUTDOWN_DRAIN_TIMEOUT", "45s",
                "GATEWAY_ROUTES_ORDERS_RESPONSE_TIMEOUT", "12s");

        GatewayConfig c = ConfigLoader.load(null, null, system, env);

        assertThat(c.proxy().httpClient().idleTimeout()).as("default only").isEqualTo(Duration.ofSeconds(30));
        assertThat(c.proxy().httpClient().maxConnections()).as("file over default").isEqualTo(100);
        assertThat(c.proxy().httpClient().maxConnectionsPerRoute()).as("system over file").isEqualTo(60);
        assertThat(c.proxy().httpClient().poolTimeout()).as("environment over system").isEqualTo(Duration.ofSeconds(9));
        assertThat(c.operations().drainTimeout()).as("environment over default").isEqualTo(Duration.ofSeconds(45));
        assertThat(route(c).limits().responseTimeout()).as("environment over file").isEqualTo(Duration.ofSeconds(12));
        assertThat(c.effective()).containsEntry("gateway.http-client.pool-timeout", "9s");
    }

    @Test
    void environmentVariableNameIsTheKeyUpperCasedWithDotsAndDashesAsUnderscores() {
        assertThat(ConfigLoader.envName("gateway.http-client.max-connections"))
                .isEqualTo("GATEWAY_HTTP_CLIENT_MAX_CONNECTIONS");
        GatewayConfig c = ConfigLoader.load(null, null, minimal(),
                Map.of("GATEWAY_HTTP_CLIENT_MAX_CONNECTIONS", "7"));
        assertThat(c.proxy().httpClient().maxConnections()).isEqualTo(7);
    }

    @Test
    void environmentOnlySetsKeysKnownFromOtherSources() {
        Map<String, String> env = Map.of(
                "GATEWAY_ROUTES_EXTRA_PATH", "/extra/**",
                "GATEWAY_ROUTES_EXTRA_SERVICE", "s",
                "GATEWAY_LIMITS_BOGUS", "1",
                "GATEWAY_ROUTES_ORDERS_HOST", "api.example.com",
                "PATH", "/usr/bin",
                "gateway.http-client.max-connections", "3");

        GatewayConfig c = ConfigLoader.load(null, null, minimal(), env);

        assertThat(c.routes()).extracting(RouteConfig::name).containsExactly("orders");
        assertThat(route(c).match().host()).as("no such key in any other source").isNull();
        assertThat(c.proxy().httpClient().maxConnections()).as("not an environment variable name").isEqualTo(512);
    }

    @Test
    void environmentValuesAreValidatedLikeAnyOther() {
        List<String> problems = problems(() -> ConfigLoader.load(null, null, minimal(),
                Map.of("GATEWAY_HTTP_CLIENT_CONNECT_TIMEOUT", "soon")));
        assertThat(problems).containsExactly("gateway.http-client.connect-timeout = \"soon\"" + DURATION_EXPECTED);
    }

    @Test
    void externalFileIsNamedBySystemPropertyBeforeEnvironmentBeforeContextParam() throws IOException {
        String one = file("one.properties", "gateway.forwarding.via = one").toString();
        String two = file("two.properties", "gateway.forwarding.via = two").toString();
        String three = file("three.properties", "gateway.forwarding.via = three").toString();

        assertThat(ConfigLoader.load(three, null, minimalWith("gateway.config", one),
                Map.of("GATEWAY_CONFIG", two)).proxy().forwarding().via()).isEqualTo("one");
        assertThat(ConfigLoader.load(three, null, minimal(),
                Map.of("GATEWAY_CONFIG", two)).proxy().forwarding().via()).isEqualTo("two");
        assertThat(ConfigLoader.load(three, null, minimal(), Map.of()).proxy().forwarding().via()).isEqualTo("three");
        assertThat(ConfigLoader.load(three, null, minimalWith("gateway.config", " "),
                Map.of("GATEWAY_CONFIG", "")).proxy().forwarding().via()).as("blank names are skipped")
                        .isEqualTo("three");
    }

    @Test
    void readsWebInfContextParamThroughTheWarResources() {
        List<String> opened = new ArrayList<>();
        Function<String, InputStream> war = path -> {
            opened.add(path);
            String text = "gateway.services.w.instances = http://10.0.0.9\n"
                    + "gateway.routes.w.path = /w/**\n"
                    + "gateway.routes.w.service = w\n";
            return path.equals("/WEB-INF/gateway.properties")
                    ? new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) : null;
        };

        GatewayConfig c = ConfigLoader.load("/WEB-INF/gateway.properties", war, Map.of(), Map.of());

        assertThat(opened).containsExactly("/WEB-INF/gateway.properties");
        assertThat(c.routes()).extracting(RouteConfig::name).containsExactly("w");
        assertThat(c.upstreams().services()).containsOnlyKeys("w");
    }

    @Test
    void missingWebInfResourceIsAProblemNamingGatewayConfig() {
        List<String> problems = problems(() ->
                ConfigLoader.load("/WEB-INF/missing.properties", path -> null, Map.of(), Map.of()));
        assertThat(problems).singleElement().asString()
                .startsWith("gateway.config = \"/WEB-INF/missing.properties\": expected a readable properties file");
    }

    @Test
    void missingExternalFileIsAProblemNamingGatewayConfig() {
        String missing = dir.resolve("nope.properties").toString();
        List<String> problems = problems(() -> ConfigLoader.load(null, null, minimalWith("gateway.config", missing),
                Map.of()));
        assertThat(problems).singleElement().asString()
                .startsWith("gateway.config = \"" + missing + "\": expected a readable properties file");
    }

    @Test
    void externalFileIsReadAsUtf8() throws IOException {
        Path f = file("utf8.properties", "gateway.routes.orders.response-headers.set.X-Name = café");
        GatewayConfig c = load(minimalWith("gateway.config", f.toString()));
        assertThat(route(c).headers().response().set()).containsEntry("X-Name", "café");
    }

    // --- sizes and durations -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "0,       0",
        "2048,    2048",
        "1B,      1",
        "512KB,   524288",
        "512KiB,  524288",
        "10MB,    10485760",
        "10MiB,   10485760",
        "1GB,     1073741824",
        "1GiB,    1073741824",
        "8GiB,    8589934592",
    })
    void parsesSizes(String text, long bytes) {
        assertThat(route(load(minimalWith(ROUTE + "max-body-size", text))).limits().maxBodySize()).isEqualTo(bytes);
        assertThat(load(minimalWith("gateway.limits.max-body-size", text)).proxy().limits().maxBodySize())
                .isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10 MB", "10mb", "1.5MB", "-1", "MB", "10TB", "ten", "0x10", "12345678901234567"})
    void rejectsMalformedSizes(String text) {
        assertThat(problems(minimalWith(ROUTE + "max-body-size", text)))
                .containsExactly("gateway.routes.orders.max-body-size = \"" + text + "\"" + SIZE_EXPECTED);
    }

    /** A size whose byte count does not fit in a long must be refused, not wrapped around to a negative limit. */
    @ParameterizedTest
    @ValueSource(strings = {"9999999999GB", "999999999999GiB"})
    void rejectsSizesTooLargeToRepresent(String text) {
        assertThat(problems(minimalWith("gateway.limits.max-body-size", text)))
                .containsExactly("gateway.limits.max-body-size = \"" + text + "\"" + SIZE_EXPECTED);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "500ms, PT0.5S",
        "5s,    PT5S",
        "90s,   PT1M30S",
        "1m,    PT1M",
        "2h,    PT2H",
        "1d,    PT24H",
    })
    void parsesDurations(String text, Duration expected) {
        assertThat(route(load(minimalWith(ROUTE + "response-timeout", text))).limits().responseTimeout())
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5 sec", "5", "1.5s", "-1s", "5S", "PT5S", "s", "5sec", "1w"})
    void rejectsMalformedDurations(String text) {
        assertThat(problems(minimalWith(ROUTE + "response-timeout", text)))
                .containsExactly("gateway.routes.orders.response-timeout = \"" + text + "\"" + DURATION_EXPECTED);
    }

    /** Too many digits, or more days than a Duration holds: a problem in the list, not a stray runtime exception. */
    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999s", "9999999999999999d", "9999999999999999h"})
    void rejectsDurationsTooLargeToRepresent(String text) {
        assertThat(problems(minimalWith(ROUTE + "response-timeout", text, ROUTE + "timeout", "1s")))
                .containsExactlyInAnyOrder(
                        "gateway.routes.orders.response-timeout = \"" + text + "\"" + DURATION_EXPECTED,
                        "gateway.routes.orders.timeout: unknown key");
    }

    @Test
    void rejectsZeroTimeoutsNamingTheValueAsWritten() {
        assertThat(problems(minimalWith("gateway.http-client.connect-timeout", "0ms")))
                .containsExactly("gateway.http-client.connect-timeout = \"0ms\": expected a duration above zero");
    }

    @Test
    void rejectsZeroTimeouts() {
        assertThat(problems(minimalWith(ROUTE + "response-timeout", "0s")))
                .singleElement().asString().startsWith("gateway.routes.orders.response-timeout = ")
                .endsWith(": expected a duration above zero");
    }

    // --- routes ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "/**,                 **",
        "/,                   ''",
        "/api/*/lines,        api|*|lines",
        "/api/*/**,           api|*|**",
        "/v1.0/~user/a-b_c,   v1.0|~user|a-b_c",
    })
    void parsesPathPatternsIntoSegments(String pattern, String segments) {
        List<String> expected = segments.isEmpty() ? List.of() : List.of(segments.split("\\|"));
        assertThat(route(load(minimalWith(ROUTE + "path", pattern))).match().segments()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/**/lines", "/**/x", "/a*b", "/api/orders*", "/api/***", "/api/*x/y", "/a/./b",
        "/a/../b", "/a b", "/a?x"})
    void rejectsPathPatternsWithBadSegments(String pattern) {
        assertThat(problems(minimalWith(ROUTE + "path", pattern))).containsExactly("gateway.routes.orders.path = \""
                + pattern + "\": expected segments that are literals, * (one segment) or a final ** (the rest)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api/orders/**", "**", "*/x", "/api//orders"})
    void rejectsPathPatternsNotStartingWithOneSlash(String pattern) {
        assertThat(problems(minimalWith(ROUTE + "path", pattern))).containsExactly("gateway.routes.orders.path = \""
                + pattern + "\": expected a path pattern starting with / (e.g. /api/orders/**)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api.example.com:8080", "bad host", "*", "*.", "exa_mple.com", "-lead.example.com",
        "http://api.example.com", "a.*.example.com"})
    void rejectsInvalidHosts(String host) {
        assertThat(problems(minimalWith(ROUTE + "host", host))).containsExactly(
                "gateway.routes.orders.host = \"" + host + "\": expected a host name or *.domain (no port)");
    }

    /** RFC 1123 labels: not empty, no leading or trailing hyphen; a typo like api..example.com must not pass. */
    @ParameterizedTest
    @ValueSource(strings = {"api..example.com", "trail-.example.com", "api.-lead.example.com", "*..example.com"})
    void rejectsHostsWithMalformedLabels(String host) {
        assertThat(problems(minimalWith(ROUTE + "host", host))).containsExactly(
                "gateway.routes.orders.host = \"" + host + "\": expected a host name or *.domain (no port)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api.example.com", "*.tenant.example", "localhost", "10.0.0.1"})
    void acceptsHostNamesAndWildcardDomains(String host) {
        assertThat(route(load(minimalWith(ROUTE + "host", host))).match().host()).isEqualTo(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CONNECT", "GE T", "GET/1"})
    void rejectsInvalidMethods(String method) {
        assertThat(problems(minimalWith(ROUTE + "methods", method))).containsExactly(
                "gateway.routes.orders.methods = \"" + method + "\": expected HTTP method names (e.g. GET, POST)");
    }

    @Test
    void rejectsStripPrefixThatIsNotAPrefixOfThePath() {
        assertThat(problems(minimalWith(ROUTE + "strip-prefix", "/other"))).containsExactly(
                "gateway.routes.orders.strip-prefix = \"/other\": expected whole literal leading segments of the route's path "
                        + "/api/orders/**");
    }

    /** Route.rewrite strips only at a segment boundary, so "/api/ord" would silently never strip anything. */
    @Test
    void rejectsStripPrefixEndingInsideAPathSegment() {
        assertThat(problems(minimalWith(ROUTE + "strip-prefix", "/api/ord"))).containsExactly(
                "gateway.routes.orders.strip-prefix = \"/api/ord\": expected whole literal leading segments of the route's path "
                        + "/api/orders/**");
    }

    /** The message promises "no wildcards"; a literal "/api/*" never matches a request path like "/api/7". */
    @Test
    void rejectsStripPrefixWithAWildcard() {
        assertThat(problems(minimalWith(ROUTE + "path", "/api/*/**", ROUTE + "strip-prefix", "/api/*")))
                .singleElement().asString().startsWith("gateway.routes.orders.strip-prefix = \"/api/*\": expected ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/", "api", "/a/./b", "/a/..", "/a b", "/a//b"})
    void rejectsPrefixesThatAreNotLiteralPaths(String prefix) {
        assertThat(problems(minimalWith(ROUTE + "add-prefix", prefix))).containsExactly(
                "gateway.routes.orders.add-prefix = \"" + prefix
                        + "\": expected a literal path prefix like /api (no trailing /, no wildcards)");
    }

    @Test
    void rejectsRouteReferringToAnUnknownService() {
        assertThat(problems(minimalWith(ROUTE + "service", "missing"))).containsExactly(
                "gateway.routes.orders.service = \"missing\": expected one of the configured services [s]");
    }

    @Test
    void rejectsRouteWithoutPathOrService() {
        Map<String, String> m = minimal();
        m.put("gateway.routes.half.methods", "GET");
        assertThat(problems(m)).containsExactlyInAnyOrder(
                "gateway.routes.half.path = (missing): expected a value is required",
                "gateway.routes.half.service = (missing): expected a value is required");
    }

    @Test
    void rejectsConfigurationWithoutRoutes() {
        assertThat(problems(Map.of("gateway.services.s.instances", "http://10.0.0.5"))).containsExactly(
                "gateway.routes = (missing): expected at least one route (gateway.routes.<name>.path and .service)");
    }

    @Test
    void rejectsEmptyConfiguration() {
        assertThat(problems(Map.of())).containsExactly(
                "gateway.routes = (missing): expected at least one route (gateway.routes.<name>.path and .service)");
    }

    // --- services ----------------------------------------------------------------------------------------------

    @Test
    void rejectsServiceWithoutInstances() {
        assertThat(problems(minimalWith("gateway.services.t.load-balancer", "round-robin"))).containsExactly(
                "gateway.services.t.instances = (missing): expected a comma-separated list of base URIs "
                        + "(e.g. http://10.0.0.5:8080)");
    }

    /** A list of nothing but separators names no instance: the service could never be reached. */
    @ParameterizedTest
    @ValueSource(strings = {",", " , ,"})
    void rejectsServiceWhoseInstanceListIsOnlySeparators(String instances) {
        assertThat(problems(minimalWith("gateway.services.s.instances", instances)))
                .singleElement().asString().startsWith("gateway.services.s.instances = ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5:8080", "ftp://10.0.0.5", "http://10.0.0.5/x?q=1", "http://10.0.0.5/#f",
        "http:///x", "//10.0.0.5:8080", "http://bad host"})
    void rejectsInvalidInstanceUris(String uri) {
        // the scheme set is a Set.of, whose iteration order changes from run to run
        assertThat(problems(minimalWith("gateway.services.s.instances", "http://10.0.0.6, " + uri)))
                .singleElement().asString()
                .startsWith("gateway.services.s.instances = \"" + uri + "\": expected an absolute URI with a host "
                        + "and scheme ")
                .containsAnyOf("http or https", "https or http");
    }

    /** An @ may be user info: in a list that holds one, the whole list is shown, masked up to the last @. */
    @Test
    void rejectsAnInstanceUriWithoutAuthorityShowingNoUserInfo() {
        assertThat(problems(minimalWith("gateway.services.s.instances", "http://10.0.0.6, mailto:ops@example.com")))
                .singleElement().asString()
                .startsWith("gateway.services.s.instances = \"http://****@example.com\": expected an absolute URI");
    }

    @Test
    void parsesInstanceLists() {
        GatewayConfig c = load(minimalWith("gateway.services.s.instances",
                "http://10.0.0.5:8080, https://orders.internal, http://[::1]:9000/base"));
        assertThat(c.upstreams().services().get("s").instances()).containsExactly(URI.create("http://10.0.0.5:8080"),
                URI.create("https://orders.internal"), URI.create("http://[::1]:9000/base"));
    }

    @Test
    void rejectsUnsupportedDiscoveryAndInvalidServiceNames() {
        Map<String, String> m = minimalWith("gateway.services.s.discovery", "eureka");
        m.put("gateway.services.Bad_Name.instances", "http://10.0.0.7");
        assertThat(problems(m)).containsExactlyInAnyOrder(
                "gateway.services.s.discovery = \"eureka\": expected static or consul",
                "gateway.services.Bad_Name = \"Bad_Name\": expected a name of lower-case letters, digits and -");
    }

    // --- forwarding --------------------------------------------------------------------------------------------

    @Test
    void acceptsTrustedProxyAddressesAndCidrBlocksOfBothFamilies() {
        GatewayConfig c = load(minimalWith("gateway.forwarding.trusted-proxies",
                "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8, [::1], 0.0.0.0/0"));
        assertThat(c.proxy().forwarding().trustedProxies())
                .containsExactly("10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "[::1]", "0.0.0.0/0");
    }

    @Test
    void rejectsEachInvalidTrustedProxy() {
        List<String> problems = problems(minimalWith("gateway.forwarding.trusted-proxies",
                "10.0.0.0/8, 10.0.0.0/33, 10.0.0/8, proxy.local, ::1/129, 10.0.0.0/x, 256.1.1.1, 10.0.0.0/-1"));
        String expected = "\": expected IP addresses or CIDR blocks (e.g. 10.0.0.0/8)";
        assertThat(problems).containsExactlyInAnyOrder(
                "gateway.forwarding.trusted-proxies = \"10.0.0.0/33" + expected,
                "gateway.forwarding.trusted-proxies = \"10.0.0/8" + expected,
                "gateway.forwarding.trusted-proxies = \"proxy.local" + expected,
                "gateway.forwarding.trusted-proxies = \"::1/129" + expected,
                "gateway.forwarding.trusted-proxies = \"10.0.0.0/x" + expected,
                "gateway.forwarding.trusted-proxies = \"256.1.1.1" + expected,
                "gateway.forwarding.trusted-proxies = \"10.0.0.0/-1" + expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tolls gate", "toll/gate", "a,b"})
    void rejectsViaPseudonymThatIsNotAToken(String via) {
        assertThat(problems(minimalWith("gateway.forwarding.via", via))).containsExactly(
                "gateway.forwarding.via = \"" + via + "\": expected a token (letters, digits, - . _)");
    }

    // --- header rules ------------------------------------------------------------------------------------------

    @Test
    void parsesHeaderRulesForBothDirections() {
        GatewayConfig c = load(minimalWith(
                ROUTE + "request-headers.set.X-A", "one",
                ROUTE + "request-headers.add.X-B", "two, three",
                ROUTE + "request-headers.remove", "Cookie, X-Debug",
                ROUTE + "response-headers.set.Cache-Control", "no-store",
                ROUTE + "response-headers.remove", "Server"));

        RouteConfig r = route(c);
        assertThat(r.headers().request()).isEqualTo(
                new HeaderRules(List.of("Cookie", "X-Debug"), Map.of("X-A", "one"), Map.of("X-B", "two, three")));
        assertThat(r.headers().request().isEmpty()).isFalse();
        assertThat(r.headers().response()).isEqualTo(
                new HeaderRules(List.of("Server"), Map.of("Cache-Control", "no-store"), Map.of()));
    }

    @Test
    void rejectsInvalidHeaderRules() {
        List<String> problems = problems(minimalWith(
                ROUTE + "request-headers.set.X A", "1",
                ROUTE + "request-headers.add.X-B.c", "2",
                ROUTE + "request-headers.set.X-C", "bad\u0001value",
                ROUTE + "response-headers.remove", "Good, Bad Name"));
        assertThat(problems).containsExactlyInAnyOrder(
                "gateway.routes.orders.request-headers.set.X A = \"1\": expected a header name",
                "gateway.routes.orders.request-headers.add.X-B.c = \"2\": expected a header name",
                "gateway.routes.orders.request-headers.set.X-C = \"bad\u0001value\": expected a header value without "
                        + "control characters",
                "gateway.routes.orders.response-headers.remove = \"Bad Name\": expected header names");
    }

    @Test
    void headerRulesAreImmutableCopies() {
        List<String> remove = new ArrayList<>(List.of("A"));
        Map<String, String> set = new HashMap<>(Map.of("B", "1"));
        HeaderRules rules = new HeaderRules(remove, set, Map.of());
        remove.add("C");
        set.put("D", "2");
        assertThat(rules.remove()).containsExactly("A").isUnmodifiable();
        assertThat(rules.set()).containsOnlyKeys("B");
        assertThat(HeaderRules.NONE.isEmpty()).isTrue();
    }

    // --- limits ------------------------------------------------------------------------------------------------

    @Test
    void readsAndBoundsLimits() {
        GatewayConfig c = load(minimalWith(
                "gateway.limits.max-uri-length", "64",
                "gateway.limits.max-header-count", "10000",
                "gateway.limits.reject-underscore-headers", "FALSE",
                "gateway.limits.min-body-rate", "1KB",
                "gateway.limits.min-body-rate-grace", "2s"));
        assertThat(c.proxy().limits())
                .isEqualTo(new LimitsConfig(64, 10000, false, 10L << 20, 1024, Duration.ofSeconds(2)));
        assertThat(load(minimalWith("gateway.limits.min-body-rate", "0")).proxy().limits().minBodyRate()).isZero();

        assertThat(problems(minimalWith("gateway.limits.max-uri-length", "63"))).containsExactly(
                "gateway.limits.max-uri-length = \"63\": expected a whole number from 64 to 1048576");
    }

    @Test
    void resultIsImmutable() {
        GatewayConfig c = load(minimal());
        assertThat(c.routes()).isUnmodifiable();
        assertThat(c.upstreams().services()).isUnmodifiable();
        assertThat(c.effective()).isUnmodifiable();
        assertThat(route(c).match().segments()).isUnmodifiable();
        assertThat(route(c).match().methods()).isUnmodifiable();
    }

    // --- redis -----------------------------------------------------------------------------------------------

    @Test
    void redisIsOptionalAndReadWithItsSettings() {
        assertThat(load(minimal()).redis().isConfigured()).isFalse();
        RedisConfig r = load(minimalWith("gateway.redis.uri", "rediss://gw:pw@redis.internal:6380/2",
                "gateway.redis.timeout", "50ms", "gateway.redis.pool-size", "8",
                "gateway.redis.retry-interval", "2s")).redis();
        assertThat(r.uri()).hasToString("rediss://gw:pw@redis.internal:6380/2");
        assertThat(r.timeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(r.poolSize()).isEqualTo(8);
        assertThat(r.retryInterval()).isEqualTo(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://redis:6379", "redis:6379", "redis://redis:6379/db", "redis://redis:6379/?x=1"})
    void rejectsARedisUriThatIsNotOne(String uri) {
        assertThat(problems(minimalWith("gateway.redis.uri", uri)))
                .singleElement().asString().startsWith("gateway.redis.uri = \"" + uri + "\"");
    }
}
