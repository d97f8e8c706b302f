package dev.tollgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.BearerTokens;
import dev.tollgate.config.AuthConfig;
import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.http.HeaderField;
import dev.tollgate.observability.AccessRecord;
import dev.tollgate.observability.HealthCheck;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.route.Route;
import dev.tollgate.testsupport.Configs;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayReloadTest {
    private static final String SERVICE = "gateway.services.up.instances = http://127.0.0.1:9";

    private static GatewayConfig config(String... lines) {
        String[] all = new String[lines.length + 2];
        all[0] = SERVICE;
        all[1] = "gateway.metrics.jmx.enabled = false";
        System.arraycopy(lines, 0, all, 2, lines.length);
        return Configs.of(all);
    }

    private static Gateway start(String... lines) {
        return new Gateway(config(lines), Clock.systemUTC());
    }

    @Test
    void swapsRoutesAtomicallyAndReportsWhatChanged() {
        try (Gateway gateway = start("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up",
                "gateway.routes.b.path = /b/**", "gateway.routes.b.service = up")) {
            Route before = gateway.routes().match(null, "GET", "/a/x");
            ConfigChanges.Change r = gateway.reload(config(
                    "gateway.routes.a.path = /a/**", "gateway.routes.a.service = up",
                    "gateway.routes.a.strip-prefix = /a",
                    "gateway.routes.c.path = /c/**", "gateway.routes.c.service = up")).of("routes");
            assertThat(r.added()).containsExactly("c");
            assertThat(r.removed()).containsExactly("b");
            assertThat(r.changed()).containsExactly("a");
            assertThat(gateway.routes().match(null, "GET", "/b/x")).isNull();
            assertThat(gateway.routes().match(null, "GET", "/c/x").name()).isEqualTo("c");
            assertThat(gateway.config().routes()).hasSize(2);
            // a request that matched before the reload keeps its route and its rewrite
            assertThat(before.rewrite("/a/x")).isEqualTo("/a/x");
            assertThat(gateway.routes().match(null, "GET", "/a/x").rewrite("/a/x")).isEqualTo("/x");
        }
    }

    @Test
    void appliesWhatReloadsAndListsWhatNeedsARestartKeepingItsRunningValue() {
        try (Gateway gateway = start("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up")) {
            ConfigChanges.Diff d = gateway.reload(config(
                    "gateway.routes.z.path = /z/**", "gateway.routes.z.service = up",
                    "gateway.http-client.io-threads = 3",
                    "gateway.http-client.max-connections = 10",
                    "gateway.http-client.max-connections-per-route = 4",
                    "gateway.admin.token = a-new-secret-value-that-is-long"));
            assertThat(d.restart()).containsExactly(
                    "gateway.http-client.io-threads: changed from \"0\" to \"3\"; needs a restart");
            assertThat(gateway.adminAccess().hasToken("Bearer a-new-secret-value-that-is-long"))
                    .as("the admin token reloads").isTrue();
            assertThat(String.join(" ", d.restart())).doesNotContain("a-new-secret");
            assertThat(d.of("routes").added()).containsExactly("z");
            assertThat(gateway.routes().match(null, "GET", "/z/x")).isNotNull();
            assertThat(gateway.client().poolStats().getMax()).as("the pool's limits are applied").isEqualTo(10);
            assertThat(gateway.client().maxConnectionsPerRoute()).isEqualTo(4);
            // still pending on the next reload, as the process still runs with the old value
            String a = "gateway.routes.a.path = /a/**";
            String up = "gateway.routes.a.service = up";
            assertThat(gateway.reload(config(a, up, "gateway.http-client.io-threads = 3")).restart()).hasSize(1);
            assertThat(gateway.reload(config(a, up)).restart()).isEmpty();
        }
    }

    private static AccessRecord logged(String id) {
        return new AccessRecord(0, new AccessRecord.Request(id, null, "127.0.0.1", "GET", "/a/x", "HTTP/1.1"),
                AccessRecord.Target.NONE, new AccessRecord.Result(200, 0, 0, 1), AccessRecord.Decisions.NONE);
    }

    @Test
    void aReloadSwitchesTheAccessLogAndRefusesADestinationItCannotWrite(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.json");
        Path second = dir.resolve("second.json");
        String a = "gateway.routes.a.path = /a/**";
        String up = "gateway.routes.a.service = up";
        try (Gateway gateway = start(a, up, "gateway.access-log.path = " + first)) {
            gateway.accessLog().log(logged("before-the-reload"));
            assertThat(gateway.reload(config(a, up, "gateway.access-log.path = " + second)).restart()).isEmpty();
            gateway.accessLog().log(logged("after-the-reload"));
            Path underAFile = first.resolve("x.json");
            assertThatThrownBy(() -> gateway.reload(config(a, up, "gateway.access-log.path = " + underAFile)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.access-log.path");
            gateway.accessLog().log(logged("after-the-refusal"));
            assertThat(gateway.reload(config(a, up, "gateway.access-log.path = " + second,
                    "gateway.access-log.enabled = false")).restart()).isEmpty();
            assertThat(gateway.accessLog().isEnabled()).isFalse();
        }
        assertThat(Files.readString(first)).contains("before-the-reload").doesNotContain("after-the-reload");
        assertThat(Files.readString(second)).contains("after-the-reload").contains("after-the-refusal");
    }

    @Test
    void aReplacedRuntimeClosesWhenItsLastRequestEnds() {
        try (Gateway gateway = start("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up")) {
            GatewayRuntime first = gateway.enterRuntime();
            gateway.reload(config("gateway.routes.b.path = /b/**", "gateway.routes.b.service = up"));
            GatewayRuntime second = gateway.enterRuntime();
            assertThat(second.generation()).isEqualTo(first.generation() + 1);
            assertThat(first.routes().match(null, "GET", "/a/x")).as("the old request keeps its table").isNotNull();
            assertThat(second.routes().match(null, "GET", "/a/x")).isNull();
            assertThat(first.isClosed()).isFalse();
            assertThat(first.inFlight()).isEqualTo(1);
            gateway.exit(first);
            assertThat(first.isClosed()).isTrue();
            gateway.exit(second);
            assertThat(second.isClosed()).as("the current runtime stays open").isFalse();
            assertThat(gateway.drainGate().inFlight()).isZero();
        }
    }

    @Test
    void reusesWhatDidNotChange() {
        String b = "gateway.services.b.instances = http://127.0.0.1:8";
        try (Gateway gateway = start(b, "gateway.routes.a.path = /a/**", "gateway.routes.a.service = up",
                "gateway.auth.api-keys.k.sha256 = " + "AB".repeat(32), "gateway.auth.api-keys.k.owner = acme")) {
            GatewayRuntime before = gateway.runtime();
            gateway.reload(config(b, "gateway.routes.a.path = /a/**", "gateway.routes.a.service = b",
                    "gateway.services.up.breaker.delay = 9s",
                    "gateway.auth.api-keys.k.sha256 = " + "AB".repeat(32), "gateway.auth.api-keys.k.owner = acme"));
            GatewayRuntime after = gateway.runtime();
            assertThat(after.authenticator()).as("same keys: same authenticator").isSameAs(before.authenticator());
            assertThat(after.guards().guard("b")).as("unchanged service keeps its breaker")
                    .isSameAs(before.guards().guard("b"));
            assertThat(after.guards().guard("up")).isNotSameAs(before.guards().guard("up"));
            gateway.reload(config(b, "gateway.routes.a.path = /a/**", "gateway.routes.a.service = b",
                    "gateway.services.up.breaker.delay = 9s",
                    "gateway.auth.api-keys.k.sha256 = " + "CD".repeat(32), "gateway.auth.api-keys.k.owner = acme"));
            assertThat(gateway.runtime().authenticator()).isNotSameAs(after.authenticator());
        }
    }

    @Test
    void addsAStaticServiceWithItsInstances() {
        try (Gateway gateway = start("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up")) {
            assertThat(gateway.runtime().services().snapshot("extra")).isNull();
            ConfigChanges.Diff d = gateway.reload(config("gateway.services.extra.instances = http://127.0.0.1:7",
                    "gateway.routes.a.path = /a/**", "gateway.routes.a.service = extra"));
            assertThat(d.of("services").added()).containsExactly("extra");
            assertThat(d.restart()).isEmpty();
            assertThat(gateway.runtime().services().snapshot("extra").instances()).hasSize(1);
            assertThat(gateway.runtime().services().choose("extra").instance().port()).isEqualTo(7);
        }
    }

    /**
     * The discovery meters and MXBean follow a reload: an added service gets them, a changed one shows its new
     * instances, a removed one has none any more.
     */
    @Test
    void discoveryMetersAndMXBeansFollowTheReloadedServices() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName extra = ManagementBeans.name("Discovery", "extra");
        ObjectName gone = ManagementBeans.name("Discovery", "gone");
        try (Gateway gateway = start("gateway.services.gone.instances = http://127.0.0.1:6",
                "gateway.routes.a.path = /a/**", "gateway.routes.a.service = up")) {
            MeterRegistry registry = gateway.metrics().registry();
            assertThat(server.isRegistered(gone)).isTrue();
            gateway.reload(config("gateway.services.extra.instances = http://127.0.0.1:7",
                    "gateway.routes.a.path = /a/**", "gateway.routes.a.service = extra"));
            assertThat((String[]) server.getAttribute(extra, "Instances")).hasSize(1);
            assertThat(registry.get("tollgate.discovery.instances").tag("service", "extra").gauge().value())
                    .isEqualTo(1.0);
            assertThat(server.isRegistered(gone)).isFalse();
            assertThat(registry.find("tollgate.discovery.instances").tag("service", "gone").gauge()).isNull();

            gateway.reload(config("gateway.services.extra.instances = http://127.0.0.1:7, http://127.0.0.1:8",
                    "gateway.routes.a.path = /a/**", "gateway.routes.a.service = extra"));
            assertThat((String[]) server.getAttribute(extra, "Instances")).hasSize(2);
            assertThat(registry.get("tollgate.discovery.instances").tag("service", "extra").gauge().value())
                    .isEqualTo(2.0);
        }
        assertThat(server.isRegistered(extra)).as("closed with the gateway").isFalse();
    }

    /** The API-key header reloads with the keys: the next requests read the new header, no restart is listed. */
    @Test
    void theApiKeyHeaderReloads() {
        String route = "gateway.routes.a.path = /a/**";
        String service = "gateway.routes.a.service = up";
        try (Gateway gateway = start(route, service)) {
            GatewayRuntime before = gateway.runtime();
            assertThat(before.authenticator().apiKeyHeader()).isEqualTo("X-API-Key");
            ConfigChanges.Diff d = gateway.reload(config(route, service, "gateway.auth.api-key.header = X-Tenant-Key"));
            assertThat(d.restart()).isEmpty();
            assertThat(gateway.runtime().authenticator().apiKeyHeader()).isEqualTo("X-Tenant-Key");
            assertThat(before.authenticator().apiKeyHeader()).as("a request already running keeps its header")
                    .isEqualTo("X-API-Key");
        }
    }

    /** User-context headers, the token size limit and the cache settings reload with the authenticator. */
    @Test
    void theAuthenticationSettingsReload() {
        List<String> lines = List.of("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up",
                "gateway.routes.a.auth = api-key",
                "gateway.auth.api-keys.k.sha256 = " + BearerTokens.sha256("the-key"),
                "gateway.auth.api-keys.k.owner = acme");
        List<String> reloaded = new ArrayList<>(lines);
        reloaded.addAll(List.of("gateway.auth.headers.api-key-owner = X-Owner", "gateway.auth.cache.max-entries = 10",
                "gateway.auth.cache.negative-ttl = 1s"));
        try (Gateway gateway = start(lines.toArray(String[]::new))) {
            GatewayRuntime before = gateway.runtime();
            ConfigChanges.Diff d = gateway.reload(config(reloaded.toArray(String[]::new)));
            assertThat(d.restart()).isEmpty();
            GatewayRuntime after = gateway.runtime();
            assertThat(owner(after)).containsExactly("X-Owner", "acme");
            assertThat(owner(before)).as("a request already running keeps its headers")
                    .containsExactly("X-Api-Key-Owner", "acme");
        }
    }

    /** The API-key owner header the runtime's authenticator sends for the key {@code the-key}. */
    private static List<String> owner(GatewayRuntime rt) {
        AuthConfig.RouteAuth route = rt.routes().match(null, "GET", "/a/x").config().auth();
        Authenticator.Decision o = rt.authenticator().authenticate(route, List.of(), List.of("the-key"));
        assertThat(o.allowed()).isTrue();
        for (HeaderField h : rt.authenticator().userContext().headers(o.identity())) {
            if (h.name().toLowerCase(Locale.ROOT).contains("owner")) {
                return List.of(h.name(), h.value());
            }
        }
        return List.of();
    }

    @Test
    void readinessIsDownWhileDraining() {
        Gateway gateway = start("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up");
        assertThat(gateway.readiness()).extracting(HealthCheck::name).containsExactly("draining", "discovery");
        assertThat(gateway.readiness()).allMatch(c -> c.run().up());
        gateway.close();
        assertThat(gateway.readiness().get(0).run().up()).isFalse();
    }
}
