package dev.tollgate.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConsulConfig;
import dev.tollgate.config.ConsulServiceConfig;
import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.Poll;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Consul client against {@link FakeConsul}: query parameters, token, parsing, blocking. */
class ConsulClientIT {
    private FakeConsul consul;
    private ConsulClient client;

    private ConsulClient client(FakeConsul c, String token, String dc) {
        return new ConsulClient(new ConsulConfig(URI.create(c.address()), token, dc, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1), null));
    }

    private static ConsulServiceConfig query(String service, String dc, String... tags) {
        return new ConsulServiceConfig(service, List.of(tags), dc, "http");
    }

    @AfterEach
    void close() {
        client.close();
        consul.close();
    }

    @Test
    void readsPassingInstancesWithAddressFallbackWeightsAndSchemeTags() throws Exception {
        consul = new FakeConsul();
        client = client(consul, null, null);
        consul.register("orders", "o1", "10.0.0.5", "192.168.1.1", 8080, 3);
        consul.register("orders", "o2", "", "192.168.1.2", 8081, 1);
        consul.register("orders", "o3", "10.0.0.7", "192.168.1.3", 8443, 1, "https");
        consul.register("orders", "o4", "10.0.0.8", "192.168.1.4", 8080, 1);
        consul.health("o4", "critical");
        consul.register("billing", "b1", 9000);

        ConsulClient.Result r = client.health(query("orders", null), 0, Duration.ZERO);
        assertThat(r.index()).isPositive();
        assertThat(r.instances()).containsExactly(
                new WeightedInstance(new Instance("http", "10.0.0.5", 8080, ""), 3),
                new WeightedInstance(new Instance("https", "10.0.0.7", 8443, ""), 1),
                new WeightedInstance(new Instance("http", "192.168.1.2", 8081, ""), 1));
        assertThat(consul.queries().get(0)).contains("passing=true").doesNotContain("index");
    }

    @Test
    void filtersByTagsAndAsksTheConfiguredDatacenter() throws Exception {
        consul = new FakeConsul("eu-1", null);
        client = client(consul, null, "eu-1");
        consul.register("orders", "o1", 8001, "prod", "v2");
        consul.register("orders", "o2", 8002, "prod");
        assertThat(client.health(query("orders", "eu-1", "prod", "v2"), 0, Duration.ZERO).instances())
                .extracting(w -> w.instance().port()).containsExactly(8001);
        assertThat(consul.queries().get(0)).contains("tag=prod").contains("tag=v2").contains("dc=eu-1");
        assertThatThrownBy(() -> client.health(query("orders", "us-1"), 0, Duration.ZERO))
                .isInstanceOf(ConsulClient.StatusException.class).hasMessageContaining("500");
    }

    @Test
    void sendsTheTokenInAHeaderNeverInTheUrl() throws Exception {
        consul = new FakeConsul("dc1", "s3cret");
        client = client(consul, "s3cret", null);
        consul.register("orders", "o1", 8001);
        assertThat(client.health(query("orders", null), 0, Duration.ZERO).instances()).hasSize(1);
        assertThat(consul.queries()).noneMatch(q -> q.contains("s3cret"));
        client.close();
        client = client(consul, "wrong", null);
        assertThatThrownBy(() -> client.health(query("orders", null), 0, Duration.ZERO))
                .isInstanceOf(ConsulClient.StatusException.class).hasMessageContaining("403");
    }

    @Test
    void blockingQueryIsHeldUntilTheServiceChanges() throws Exception {
        consul = new FakeConsul();
        client = client(consul, null, null);
        consul.register("orders", "o1", 8001);
        long index = client.health(query("orders", null), 0, Duration.ZERO).index();
        CompletableFuture<ConsulClient.Result> held = CompletableFuture.supplyAsync(() -> {
            try {
                return client.health(query("orders", null), index, Duration.ofSeconds(30));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Poll.until(Duration.ofSeconds(5), () -> consul.requests() >= 2);
        assertThat(held).isNotDone();
        consul.register("orders", "o2", 8002);
        ConsulClient.Result r = held.get();
        assertThat(r.index()).isGreaterThan(index);
        assertThat(r.instances()).hasSize(2);
        assertThat(consul.queries().get(1)).contains("index=" + index).contains("wait=30000ms");
    }

    @Test
    void blockingQueryReturnsTheSameIndexWhenTheWaitRunsOut() throws Exception {
        consul = new FakeConsul();
        client = client(consul, null, null);
        consul.register("orders", "o1", 8001);
        long index = client.health(query("orders", null), 0, Duration.ZERO).index();
        ConsulClient.Result r = client.health(query("orders", null), index, Duration.ofMillis(200));
        assertThat(r.index()).isEqualTo(index);
        assertThat(r.instances()).hasSize(1);
    }
}
