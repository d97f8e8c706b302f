package dev.tollgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ClaimHeader;
import dev.tollgate.testsupport.RecordingAppender;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claim lookup by name, dotted path and JSON pointer; joining arrays; refusing what cannot be a safe header. */
class ClaimHeadersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode CLAIMS = json("{\"sub\":\"alice\",\"tenant_id\":\"t-42\",\"level\":7,"
            + "\"admin\":false,\"ratio\":0.5,\"realm_access\":{\"roles\":[\"reader\",\"writer\"]},"
            + "\"https://example.com/org\":\"acme\",\"a~b\":{\"c/d\":\"x\"},\"groups\":[\"g0\",\"g1\"],"
            + "\"empty\":\"\",\"none\":null,\"nothing\":[],\"mixed\":[\"a\",1,true,null],"
            + "\"address\":{\"city\":\"Oslo\"},\"nested\":[[\"x\"]],\"objs\":[{\"a\":1}],"
            + "\"city\":\"Zürich\",\"crlf\":\"t1\\r\\nX-Admin: 1\",\"lf\":\"a\\nb\",\"nul\":\"a\\u0000b\","
            + "\"tab\":\"a\\tb\",\"del\":\"a\\u007fb\",\"split\":[\"ok\",\"bad\\r\\n\"],"
            + "\"long\":\"" + "x".repeat(ClaimHeaders.MAX_LENGTH + 1) + "\",\"max\":\""
            + "y".repeat(ClaimHeaders.MAX_LENGTH) + "\",\"wide\":\"" + "é".repeat(ClaimHeaders.MAX_LENGTH / 4)
            + "\"}");

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ClaimHeaders.Value at(String claim) {
        return ClaimHeaders.value(CLAIMS, ClaimHeader.parse(claim));
    }

    private static String text(String claim) {
        ClaimHeaders.Value v = at(claim);
        assertThat(v.refusal()).as(claim).isNull();
        return v.text();
    }

    /** Pairs of claim path and the header value it gives. */
    private static void sends(String... claimsAndValues) {
        for (int i = 0; i < claimsAndValues.length; i += 2) {
            assertThat(text(claimsAndValues[i])).as(claimsAndValues[i]).isEqualTo(claimsAndValues[i + 1]);
        }
    }

    private static String refusal(String claim) {
        ClaimHeaders.Value v = at(claim);
        assertThat(v.text()).as(claim).isNull();
        return v.refusal();
    }

    @Test
    void readsTopLevelNestedAndPointerPaths() {
        sends("tenant_id", "t-42", "realm_access.roles", "reader,writer", "/realm_access/roles", "reader,writer",
                "/https:~1~1example.com~1org", "acme", "/a~0b/c~1d", "x", "/groups/1", "g1", "groups.0", "g0",
                "address.city", "Oslo");
    }

    @Test
    void scalarsAreTheirTextAndArraysAreJoinedWithCommas() {
        sends("level", "7", "admin", "false", "ratio", "0.5", "mixed", "a,1,true");
    }

    @Test
    void missingNullEmptyAndEmptyArraysSendNothing() {
        for (String claim : List.of("absent", "realm_access.missing", "tenant_id.deeper", "/groups/2", "/groups/01",
                "/groups/-1", "groups.x", "empty", "none", "nothing")) {
            assertThat(at(claim)).as(claim).isEqualTo(ClaimHeaders.Value.ABSENT);
        }
    }

    @Test
    void objectsAndNestedContainersAreRefused() {
        assertThat(refusal("address")).isEqualTo("the value is an object");
        assertThat(refusal("realm_access")).isEqualTo("the value is an object");
        assertThat(refusal("nested")).isEqualTo("the value is an array holding an object or array");
        assertThat(refusal("objs")).isEqualTo("the value is an array holding an object or array");
    }

    @Test
    void controlCharactersAreRefusedNeverEncoded() {
        for (String claim : List.of("crlf", "lf", "nul", "tab", "del", "split")) {
            assertThat(refusal(claim)).as(claim).isEqualTo("the value holds a control character");
        }
    }

    @Test
    void valuesOverTheBoundAreRefusedAfterEncoding() {
        assertThat(text("max")).hasSize(ClaimHeaders.MAX_LENGTH);
        assertThat(refusal("long")).isEqualTo("the value is longer than 4096 characters");
        // 1024 characters, 6144 once percent-encoded (two UTF-8 bytes each, %XX per byte)
        assertThat(refusal("wide")).isEqualTo("the value is longer than 4096 characters");
    }

    @Test
    void nonAsciiIsPercentEncoded() {
        assertThat(text("city")).isEqualTo("Z%C3%BCrich");
    }

    @Test
    void headersSendsWhatIsThereAndWarnsOncePerRefusalWithoutTheValue() {
        List<ClaimHeader> mappings = List.of(new ClaimHeader("X-Tenant", "tenant_id", ClaimHeader.parse("tenant_id")),
                new ClaimHeader("X-Roles", "/realm_access/roles", ClaimHeader.parse("/realm_access/roles")),
                new ClaimHeader("X-Missing", "absent", ClaimHeader.parse("absent")),
                new ClaimHeader("X-Bad", "crlf", ClaimHeader.parse("crlf")));
        ClaimHeaders headers = new ClaimHeaders();
        RecordingAppender log = RecordingAppender.attach(ClaimHeaders.class.getName(), "%level %msg%n");
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(headers.headers("orders", mappings, CLAIMS)).extracting(h -> h.name() + "=" + h.value())
                        .containsExactly("X-Tenant=t-42", "X-Roles=reader,writer");
            }
            assertThat(headers.headers("orders", mappings, null)).isEmpty(); // an API key carries no claims
        } finally {
            log.detach(ClaimHeaders.class.getName());
        }
        List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARN")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("route=orders", "claim-header=X-Bad", "claim=crlf",
                "the value holds a control character").doesNotContain("t1").doesNotContain("X-Admin");
    }
}
