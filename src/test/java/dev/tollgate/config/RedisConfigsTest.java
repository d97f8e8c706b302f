package dev.tollgate.config;

import static dev.tollgate.testsupport.Configs.problemsWithApiRoute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.Configs;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway.redis section with gateway.redis.cluster: one server, or the seed nodes of a Redis Cluster. */
class RedisConfigsTest {
    private static RedisConfig redis(String... lines) {
        return Configs.withApiRoute(lines).redis();
    }

    @Test
    void aSingleServerByDefault() {
        RedisConfig r = redis("gateway.redis.uri = redis://gw:pw@redis.internal:6380/2");
        assertThat(r.cluster()).isFalse();
        assertThat(r.uri()).hasToString("redis://gw:pw@redis.internal:6380/2");
        assertThat(r.seeds()).containsExactly(r.uri());
        assertThat(redis().seeds()).isEmpty();
        assertThat(redis().cluster()).isFalse();
    }

    @Test
    void severalUrisWithoutClusterAreAnError() {
        assertThat(problemsWithApiRoute("gateway.redis.uri = redis://h1:7000, redis://h2:7001"))
                .singleElement().asString()
                .startsWith("gateway.redis.uri = \"redis://h1:7000, redis://h2:7001\"")
                .contains("gateway.redis.cluster = true");
    }

    @Test
    void clusterReadsEverySeedNodeInOrder() {
        RedisConfig r = redis("gateway.redis.cluster = true",
                "gateway.redis.uri = rediss://gw:s3cret@h1:7000, rediss://gw:s3cret@h2:7001 ,rediss://gw:s3cret@h3",
                "gateway.redis.pool-size = 8");
        assertThat(r.cluster()).isTrue();
        assertThat(r.isConfigured()).isTrue();
        assertThat(r.seeds()).containsExactly(URI.create("rediss://gw:s3cret@h1:7000"),
                URI.create("rediss://gw:s3cret@h2:7001"), URI.create("rediss://gw:s3cret@h3"));
        assertThat(r.uri()).isEqualTo(r.seeds().get(0));
        assertThat(r.poolSize()).isEqualTo(8);
        assertThat(redis("gateway.redis.cluster = true", "gateway.redis.uri = redis://h1:7000/").seeds())
                .containsExactly(URI.create("redis://h1:7000/"));
    }

    @Test
    void clusterNeedsSeedNodes() {
        assertThat(problemsWithApiRoute("gateway.redis.cluster = true")).singleElement().asString()
                .startsWith("gateway.redis.uri = (missing)").contains("seed nodes");
    }

    @Test
    void aDatabaseNumberIsAnErrorInACluster() {
        assertThat(problemsWithApiRoute("gateway.redis.cluster = true",
                "gateway.redis.uri = redis://h1:7000, redis://h2:7001/3"))
                .singleElement().asString().startsWith("gateway.redis.uri = \"redis://h2:7001/3\"")
                .contains("without a database number");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"rediss://h2:7001 | rediss://h2:7001",
        "redis://gw:other@h2:7001 | redis://****@h2:7001", "redis://h2:7001 | redis://h2:7001"})
    void everySeedMustBeReachedTheSameWay(String second, String shown) {
        // the list holds user info, so the whole list is shown, each URI's user info masked
        assertThat(problemsWithApiRoute("gateway.redis.cluster = true",
                "gateway.redis.uri = redis://gw:pw@h1:7000, " + second))
                .singleElement().asString().startsWith("gateway.redis.uri = \"redis://****@h1:7000, " + shown + "\"")
                .contains("scheme and credentials of the first seed node");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h2:7001", "h2:7001", "redis://h2:7001?x=1"})
    void everySeedMustBeARedisUri(String second) {
        assertThat(problemsWithApiRoute("gateway.redis.cluster = true",
                "gateway.redis.uri = redis://h1:7000, " + second))
                .singleElement().asString().startsWith("gateway.redis.uri = \"" + second + "\"");
    }

    @Test
    void clusterMustBeABoolean() {
        assertThat(problemsWithApiRoute("gateway.redis.cluster = yes", "gateway.redis.uri = redis://h1:7000"))
                .anySatisfy(p -> assertThat(p).startsWith("gateway.redis.cluster = \"yes\""));
    }

    @Test
    void inAClusterTheRulesOfARouteKeyOnOneIdentity() {
        String[] rules = {
            "gateway.redis.cluster = true",
            "gateway.redis.uri = redis://h1:7000",
            "gateway.rate-limit.policy = redis",
            "gateway.rate-limit.rules.per-ip.limit = 10",
            "gateway.rate-limit.rules.per-ip.window = 1s",
            "gateway.rate-limit.rules.gold.limit = 100",
            "gateway.rate-limit.rules.gold.window = 1m",
            "gateway.rate-limit.rules.gold.key = principal",
            "gateway.rate-limit.rules.hourly.limit = 1000",
            "gateway.rate-limit.rules.hourly.window = 1h",
            "gateway.rate-limit.rules.hourly.key = principal",
            "gateway.rate-limit.rules.tenant.limit = 5",
            "gateway.rate-limit.rules.tenant.window = 1s",
            "gateway.rate-limit.rules.tenant.key = header:X-Tenant",
            "gateway.rate-limit.rules.tenant-hour.limit = 50",
            "gateway.rate-limit.rules.tenant-hour.window = 1h",
            "gateway.rate-limit.rules.tenant-hour.key = header:x-tenant"};
        List<String> ok = new ArrayList<>(List.of(rules));
        ok.add("gateway.routes.api.rate-limit = gold, hourly");
        ok.add("gateway.routes.t.path = /t/**");
        ok.add("gateway.routes.t.service = up");
        ok.add("gateway.routes.t.rate-limit = tenant, tenant-hour");
        assertThat(Configs.withApiRoute(ok.toArray(new String[0])).rateLimit().routes())
                .containsKeys("api", "t");

        List<String> mixed = new ArrayList<>(List.of(rules));
        mixed.add("gateway.routes.api.rate-limit = per-ip, gold");
        assertThat(problemsWithApiRoute(mixed.toArray(new String[0]))).singleElement().asString()
                .startsWith("gateway.routes.api.rate-limit = \"per-ip, gold\"").contains("same identity");

        // the same routes are fine with a single Redis server, or with the local policy
        mixed.set(0, "gateway.redis.cluster = false");
        assertThat(Configs.withApiRoute(mixed.toArray(new String[0])).rateLimit().routes()).containsKey("api");
    }
}
