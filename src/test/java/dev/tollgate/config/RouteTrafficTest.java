package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.Configs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTrafficTest {
    private static final String CANARY = "gateway.services.canary.instances = http://127.0.0.1:8";
    private static final String R = "gateway.routes.split.";

    private static List<String> problems(String... lines) {
        String[] all = new String[lines.length + 2];
        all[0] = CANARY;
        all[1] = R + "path = /split/**";
        System.arraycopy(lines, 0, all, 2, lines.length);
        return Configs.problemsWithApiRoute(all);
    }

    private static RouteConfig route(String... lines) {
        String[] all = new String[lines.length + 2];
        all[0] = CANARY;
        all[1] = R + "path = /split/**";
        System.arraycopy(lines, 0, all, 2, lines.length);
        return Configs.withApiRoute(all).routes().stream().filter(r -> r.name().equals("split")).findFirst()
                .orElseThrow();
    }

    @Test
    void readsAWeightedStickySplit() {
        RouteConfig r = route(R + "services = up:95, canary : 5", R + "sticky-by = header:X-User");
        assertThat(r.target().service()).isNull();
        assertThat(r.target().split().shares()).containsExactly(new TrafficSplit.Share("up", 95),
                new TrafficSplit.Share("canary", 5));
        assertThat(r.target().split().stickyBy())
                .isEqualTo(new TrafficSplit.StickyBy(TrafficSplit.StickyBy.Source.HEADER,
                "X-User"));
        assertThat(r.target().services()).containsExactly("up", "canary");
        assertThat(r.target().description()).isEqualTo("up:95, canary:5");
        assertThat(route(R + "services = up:1, canary:1", R + "sticky-by = cookie:session").target().split().stickyBy())
                .hasToString("cookie:session");
        assertThat(route(R + "services = up:1, canary:1").target().split().stickyBy()).isNull();
    }

    @Test
    void aRouteWithOneServiceHasNoSplit() {
        RouteConfig r = route(R + "service = canary");
        assertThat(r.target().split()).isNull();
        assertThat(r.target().services()).containsExactly("canary");
        assertThat(r.target().description()).isEqualTo("canary");
        assertThat(r.match().predicates()).isSameAs(RequestMatch.NONE);
    }

    @Test
    void rejectsBadSplits() {
        assertThat(problems(R + "services = up:95, missing:5")).containsExactly(R + "services = \"missing:5\": "
                + "expected services among the configured services [canary, up]");
        assertThat(problems(R + "services = up:0, canary:5")).containsExactly(R + "services = \"up:0\": "
                + "expected a weight that is a whole number from 1 to 1000000");
        assertThat(problems(R + "services = up:-1, canary:5")).singleElement().asString()
                .startsWith(R + "services = \"up:-1\": expected a weight");
        assertThat(problems(R + "services = up:1.5, canary:5")).singleElement().asString()
                .startsWith(R + "services = \"up:1.5\": expected a weight");
        assertThat(problems(R + "services = up, canary:5")).containsExactly(R + "services = \"up\": "
                + "expected service:weight pairs (e.g. stable:95, canary:5)");
        assertThat(problems(R + "services = up:1, up:2")).containsExactly(R + "services = \"up:2\": "
                + "expected each service once");
        assertThat(problems(R + "services = up:1000000, canary:1")).containsExactly(R + "services = "
                + "\"up:1000000, canary:1\": expected weights that add up to at most 1000000");
    }

    @Test
    void rejectsServiceAndServicesTogetherAndNeither() {
        assertThat(problems(R + "service = up", R + "services = up:1, canary:1")).containsExactly(
                R + "services = \"up:1, canary:1\": expected either " + R + "service or " + R + "services, not both");
        assertThat(problems()).containsExactly(R + "service = (missing): expected a value is required");
    }

    @Test
    void rejectsBadStickyBy() {
        assertThat(problems(R + "service = up", R + "sticky-by = header:X-User")).containsExactly(
                R + "sticky-by = \"header:X-User\": expected no sticky-by on a route without " + R + "services");
        assertThat(problems(R + "services = up:1, canary:1", R + "sticky-by = ip")).containsExactly(
                R + "sticky-by = \"ip\": expected header:<name>, cookie:<name> or principal");
        assertThat(problems(R + "services = up:1, canary:1", R + "sticky-by = header:")).singleElement().asString()
                .startsWith(R + "sticky-by = \"header:\"");
        assertThat(problems(R + "services = up:1, canary:1", R + "sticky-by = principal")).containsExactly(
                R + "sticky-by = \"principal\": expected header:<name> or cookie:<name> on a route without auth "
                        + "(principal needs " + R + "auth)");
    }

    @Test
    void readsPredicates() {
        RouteConfig r = route(R + "service = up", R + "match.header.X-Canary = 1", R + "match.query.beta = true",
                R + "match.query.a.b = c", R + "match.cookie.tier = gold", R + "match.header.X-Debug = *");
        assertThat(r.match().predicates().headers()).containsOnly(Map.entry("X-Canary", "1"),
                Map.entry("X-Debug", "*"));
        assertThat(r.match().predicates().query()).containsOnly(Map.entry("beta", "true"), Map.entry("a.b", "c"));
        assertThat(r.match().predicates().cookies()).containsOnly(Map.entry("tier", "gold"));
        assertThat(r.match().predicates().count()).isEqualTo(5);
        assertThat(r.match().predicates().exactCount()).isEqualTo(4);
    }

    @Test
    void rejectsBadPredicates() {
        assertThat(problems(R + "service = up", R + "match.body.x = 1")).containsExactly(R + "match.body.x = \"1\": "
                + "expected match.header.<name>, match.query.<name> or match.cookie.<name>");
        assertThat(problems(R + "service = up", R + "match.header.X-A = ")).containsExactly(R + "match.header.X-A = "
                + "(missing): expected a value to match exactly, or * for any value");
        assertThat(problems(R + "service = up", R + "match.header.X-A = 1", R + "match.header.x-a = 2"))
                .singleElement().asString().contains("expected each header once");
        assertThat(problems(R + "service = up", R + "match.header.X A = 1")).singleElement().asString()
                .endsWith("expected match.header.<header name>");
        assertThat(problems(R + "service = up", R + "match.cookie.tier = a;b")).singleElement().asString()
                .startsWith(R + "match.cookie.tier = \"a;b\": expected a cookie value");
        assertThat(problems(R + "service = up", R + "match.header = 1")).containsExactly(R + "match.header = \"1\": "
                + "expected match.header.<header name>");
    }
}
