package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final String VALID = "00-" + TRACE + "-" + SPAN + "-01";
    private static final String TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}";

    @ParameterizedTest
    @ValueSource(strings = {"a", "abc-123", "req.42:7_x", "7f3c2a9e-1d4b-4c8a-9f00-123456789abc", "ABCxyz09"})
    void acceptsRequestIdsOfLettersDigitsAndSeparators(String id) {
        assertThat(RequestIds.isValid(id)).isTrue();
    }

    @Test
    void acceptsRequestIdsUpTo128Characters() {
        assertThat(RequestIds.isValid("a".repeat(128))).isTrue();
        assertThat(RequestIds.isValid("a".repeat(129))).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a b", "a/b", "a,b", "a;b", "a\"b", "a\r\nX-Injected: 1", "a\u0000", "caf\u00e9",
        "<script>", "a=b", "a+b", "%41", "\t"})
    void rejectsRequestIdsWithOtherCharacters(String id) {
        assertThat(RequestIds.isValid(id)).isFalse();
    }

    @Test
    void generatesRequestIdsOf32LowerCaseHexDigits() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = RequestIds.newId();
            assertThat(id).matches("[0-9a-f]{32}");
            assertThat(RequestIds.isValid(id)).isTrue();
            seen.add(id);
        }
        assertThat(seen).as("random, not repeating").hasSize(1000);
    }

    @Test
    void validIncomingTraceparentKeepsTraceIdAndFlagsWithANewSpanId() {
        String out = RequestIds.traceparent(VALID);
        assertThat(out).matches(TRACEPARENT).startsWith("00-" + TRACE + "-").endsWith("-01");
        String span = out.substring(36, 52);
        assertThat(span).isNotEqualTo(SPAN).isNotEqualTo("0".repeat(16));
        assertThat(RequestIds.traceId(out)).isEqualTo(TRACE);
    }

    @Test
    void keepsUnsampledFlags() {
        assertThat(RequestIds.traceparent("00-" + TRACE + "-" + SPAN + "-00")).endsWith("-00");
        assertThat(RequestIds.traceparent("00-" + TRACE + "-" + SPAN + "-09")).endsWith("-09");
    }

    @Test
    void eachHopGetsItsOwnSpanId() {
        Set<String> spans = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            spans.add(RequestIds.traceparent(VALID).substring(36, 52));
        }
        assertThat(spans).hasSize(100);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "01-" + TRACE + "-" + SPAN + "-01",
        "ff-" + TRACE + "-" + SPAN + "-01",
        "0-" + TRACE + "-" + SPAN + "-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + SPAN + "-01",
        "00-" + TRACE + "-00F067AA0BA902B7-01",
        "00-" + TRACE + "-" + SPAN + "-0A",
        "00-00000000000000000000000000000000-" + SPAN + "-01",
        "00-" + TRACE + "-0000000000000000-01",
        "00-" + TRACE + "-" + SPAN + "-1",
        "00-" + TRACE + "-" + SPAN + "-011",
        "00-" + TRACE + "-" + SPAN + "-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e473-" + SPAN + "-01",
        "00-" + TRACE + "-00f067aa0ba902b-01",
        "00_" + TRACE + "_" + SPAN + "_01",
        "00-" + TRACE + "-" + SPAN + "_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-" + SPAN + "-01",
        " 00-" + TRACE + "-" + SPAN + "-0",
        "garbage",
    })
    void invalidIncomingTraceparentStartsANewSampledTrace(String incoming) {
        String out = RequestIds.traceparent(incoming);
        assertThat(out).matches(TRACEPARENT).endsWith("-01");
        assertThat(RequestIds.traceId(out)).isNotEqualTo(TRACE).isNotEqualTo("0".repeat(32));
        assertThat(out.substring(36, 52)).isNotEqualTo("0".repeat(16));
    }

    @Test
    void newTracesHaveRandomTraceIds() {
        Set<String> traces = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            traces.add(RequestIds.traceId(RequestIds.traceparent(null)));
        }
        assertThat(traces).hasSize(100);
    }
}
