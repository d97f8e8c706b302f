package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.Configs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final RouteTable table = new RouteTable(Configs.of(
            "gateway.services.s.instances = http://127.0.0.1:1",
            "gateway.routes.catchall.path = /**",
            "gateway.routes.catchall.service = s",
            "gateway.routes.api.path = /api/**",
            "gateway.routes.api.service = s",
            "gateway.routes.orders.path = /api/orders/**",
            "gateway.routes.orders.service = s",
            "gateway.routes.order.path = /api/orders/*",
            "gateway.routes.order.service = s",
            "gateway.routes.exact.path = /api/orders/export",
            "gateway.routes.exact.service = s",
            "gateway.routes.post.path = /api/orders/*",
            "gateway.routes.post.methods = POST",
            "gateway.routes.post.service = s",
            "gateway.routes.tenant.path = /api/**",
            "gateway.routes.tenant.host = *.tenant.example",
            "gateway.routes.tenant.service = s",
            "gateway.routes.admin.path = /api/**",
            "gateway.routes.admin.host = admin.tenant.example",
            "gateway.routes.admin.service = s").routes());

    private String match(String host, String method, String path) {
        Route r = table.match(host, method, path);
        return r == null ? null : r.name();
    }

    @Test
    void literalSegmentsBeatWildcards() {
        assertThat(match("x", "GET", "/api/orders/export")).isEqualTo("exact");
        assertThat(match("x", "GET", "/api/orders/7")).isEqualTo("order");
        assertThat(match("x", "GET", "/api/orders/7/lines")).isEqualTo("orders");
        assertThat(match("x", "GET", "/api/orders")).isEqualTo("orders");
        assertThat(match("x", "GET", "/api/users")).isEqualTo("api");
        assertThat(match("x", "GET", "/")).isEqualTo("catchall");
        assertThat(match("x", "GET", "/other/thing")).isEqualTo("catchall");
    }

    @Test
    void methodSpecificRouteBeatsAnyMethod() {
        assertThat(match("x", "POST", "/api/orders/7")).isEqualTo("post");
        assertThat(match("x", "GET", "/api/orders/7")).isEqualTo("order");
    }

    @Test
    void hostRoutesComeFirstExactBeforeWildcard() {
        assertThat(match("admin.tenant.example", "GET", "/api/orders/7")).isEqualTo("admin");
        assertThat(match("a.tenant.example", "GET", "/api/orders/7")).isEqualTo("tenant");
        assertThat(match("tenant.example", "GET", "/api/orders/7")).isEqualTo("order");
    }

    @Test
    void singleWildcardNeedsANonEmptySegment() {
        assertThat(match("x", "GET", "/api/orders/")).isEqualTo("orders");
    }

    @Test
    void theReservedPrefixMatchesNoRouteEvenUnderACatchAll() {
        RouteTable reserving = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.catchall.path = /**",
                "gateway.routes.catchall.service = s",
                "gateway.routes.admin.path = /_tollgate/**",
                "gateway.routes.admin.service = s").routes(), Map.of(), "/_tollgate");
        assertThat(reserving.match("x", "GET", "/_tollgate")).isNull();
        assertThat(reserving.match("x", "GET", "/_tollgate/health/ready")).isNull();
        assertThat(reserving.match("x", "GET", "/_tollgate2/x").name()).as("a segment, not a string prefix")
                .isEqualTo("catchall");
        assertThat(reserving.match("x", "GET", "/api/_tollgate").name()).isEqualTo("catchall");
        assertThat(match("x", "GET", "/_tollgate/health")).as("without a reserved prefix").isEqualTo("catchall");
    }

    @Test
    void noRouteWithoutCatchAll() {
        RouteTable small = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.a.path = /a/*",
                "gateway.routes.a.service = s").routes());
        assertThat(small.match("x", "GET", "/a")).isNull();
        assertThat(small.match("x", "GET", "/a/b/c")).isNull();
        assertThat(small.match("x", "GET", "/b/c")).isNull();
        assertThat(small.match("x", "GET", "/a/b")).isNotNull();
    }

    @Test
    void rewriteStripsAndAddsPrefixes() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.a.path = /api/v1/**",
                "gateway.routes.a.strip-prefix = /api/v1",
                "gateway.routes.a.add-prefix = /v2",
                "gateway.routes.a.service = s").routes());
        Route r = t.match("x", "GET", "/api/v1/users/7");
        assertThat(r.rewrite("/api/v1/users/7")).isEqualTo("/v2/users/7");
        assertThat(r.rewrite("/api/v1")).isEqualTo("/v2");
        assertThat(r.rewrite("/api/v1/")).isEqualTo("/v2/");
        assertThat(r.rewrite("/api/v1x")).isEqualTo("/v2/api/v1x");
    }

    @Test
    void requestWithoutHostSkipsHostRoutes() {
        assertThat(match(null, "GET", "/api/users")).isEqualTo("api");
        assertThat(match(null, "GET", "/api/orders/7")).isEqualTo("order");
    }

    @Test
    void wildcardHostMatchesOnlyAtALabelBoundary() {
        assertThat(match("eviltenant.example", "GET", "/api/users")).isEqualTo("api");
        assertThat(match("a.b.tenant.example", "GET", "/api/users")).isEqualTo("tenant");
        assertThat(match("admin.tenant.example.evil", "GET", "/api/users")).isEqualTo("api");
    }

    @Test
    void pathSegmentsMatchCaseSensitively() {
        assertThat(match("x", "GET", "/API/orders/7")).isEqualTo("catchall");
        assertThat(match("x", "GET", "/api/Orders/export")).isEqualTo("api");
    }

    @Test
    void literalSegmentMustMatchWholly() {
        assertThat(match("x", "GET", "/apix/orders")).isEqualTo("catchall");
        assertThat(match("x", "GET", "/api/orders/exports")).isEqualTo("order");
    }

    @Test
    void methodRestrictedRouteIsSkippedForOtherMethods() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.read.path = /items/**",
                "gateway.routes.read.methods = GET, HEAD",
                "gateway.routes.read.service = s").routes());
        assertThat(t.match("x", "GET", "/items/1")).isNotNull();
        assertThat(t.match("x", "HEAD", "/items")).isNotNull();
        assertThat(t.match("x", "DELETE", "/items/1")).isNull();
        assertThat(t.match("x", "get", "/items/1")).as("methods are case-sensitive").isNull();
    }

    @Test
    void rootPatternMatchesOnlyTheRoot() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.root.path = /",
                "gateway.routes.root.service = s").routes());
        assertThat(t.match("x", "GET", "/")).isNotNull();
        assertThat(t.match("x", "GET", "/a")).isNull();
    }

    @Test
    void singleWildcardBeforeTailBeatsBareTail() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.any.path = /api/**",
                "gateway.routes.any.service = s",
                "gateway.routes.tenant.path = /api/*/**",
                "gateway.routes.tenant.service = s").routes());
        assertThat(t.match("x", "GET", "/api/acme/users").name()).isEqualTo("tenant");
        assertThat(t.match("x", "GET", "/api/acme").name()).isEqualTo("tenant");
        assertThat(t.match("x", "GET", "/api").name()).isEqualTo("any");
        assertThat(t.match("x", "GET", "/api/").name()).isEqualTo("any");
    }

    @Test
    void equallySpecificRoutesAreOrderedByName() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.b.path = /x/**",
                "gateway.routes.b.service = s",
                "gateway.routes.a.path = /x/**",
                "gateway.routes.a.service = s").routes());
        assertThat(t.match("h", "GET", "/x/1").name()).isEqualTo("a");
        assertThat(t.routes()).extracting(Route::name).containsExactly("a", "b");
    }

    @Test
    void routesAreListedMostSpecificFirst() {
        assertThat(table.routes()).extracting(Route::name)
                .startsWith("admin", "tenant")
                .endsWith("api", "catchall");
    }

    /** A pattern written with a trailing slash must match the very path it names. */
    @Test
    void patternWithTrailingSlashMatchesThatPath() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.docs.path = /docs/",
                "gateway.routes.docs.service = s").routes());
        assertThat(t.match("x", "GET", "/docs/")).isNotNull();
    }

    @Test
    void rewriteOfTheWholeStrippedPathIsTheRoot() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.a.path = /api/v1/**",
                "gateway.routes.a.strip-prefix = /api/v1",
                "gateway.routes.a.service = s").routes());
        Route r = t.routes().get(0);
        assertThat(r.rewrite("/api/v1")).isEqualTo("/");
        assertThat(r.rewrite("/api/v1/")).isEqualTo("/");
        assertThat(r.rewrite("/api/v1/x")).isEqualTo("/x");
    }

    @Test
    void rewriteWithOnlyAnAddedPrefixKeepsThePath() {
        RouteTable t = new RouteTable(Configs.of(
                "gateway.services.s.instances = http://127.0.0.1:1",
                "gateway.routes.a.path = /**",
                "gateway.routes.a.add-prefix = /base",
                "gateway.routes.a.service = s").routes());
        Route r = t.routes().get(0);
        assertThat(r.rewrite("/")).isEqualTo("/base/");
        assertThat(r.rewrite("/caf%C3%A9")).isEqualTo("/base/caf%C3%A9");
    }

    @Test
    void rewriteWithoutPrefixesIsTheCanonicalPath() {
        Route r = table.match("x", "GET", "/api/orders/7");
        assertThat(r.rewrite("/api/orders/7")).isEqualTo("/api/orders/7");
        assertThat(r.service()).isEqualTo("s");
    }
}
