package dev.tollgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.LimitsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each rule of {@link HeadChecks} on a plain request head, without a container. */
class HeadChecksTest {
    private static final LimitsConfig LIMITS = new LimitsConfig(64, 10, true, 1024, 0, Duration.ZERO);
    private final HeadChecks checks = new HeadChecks(LIMITS);

    /** A head of the given protocol for server {@code gw}; fields as name, value, name, value... */
    private static ReceivedHead head(String method, String protocol, String... fields) {
        List<HeaderField> list = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            list.add(new HeaderField(fields[i], fields[i + 1]));
        }
        return new ReceivedHead(method, "/api/x", protocol, "gw", list);
    }

    private Optional<Rejection> check(String... fields) {
        return checks.check(head("POST", "HTTP/1.1", fields));
    }

    private static void refused(Optional<Rejection> r, int status, String detail) {
        assertThat(r).as("refused").isPresent();
        assertThat(r.get().status()).isEqualTo(status);
        assertThat(r.get().detail()).contains(detail);
        assertThat(r.get().close()).as("closes the connection").isTrue();
    }

    @Test
    void acceptsAnOrdinaryRequest() {
        assertThat(check("Host", "gw", "Content-Length", "5", "Accept", "*/*")).isEmpty();
        assertThat(check("Host", "GW:8080", "Transfer-Encoding", "Chunked ")).isEmpty();
    }

    @Test
    void refusesConnect() {
        refused(checks.check(head("CONNECT", "HTTP/1.1", "Host", "gw")), 400, "CONNECT");
    }

    @Test
    void refusesATargetLongerThanTheLimit() {
        ReceivedHead atLimit = new ReceivedHead("GET", "/" + "a".repeat(63), "HTTP/1.1", "gw",
                List.of(new HeaderField("Host", "gw")));
        assertThat(checks.check(atLimit)).isEmpty();
        ReceivedHead over = new ReceivedHead("GET", "/a?" + "q".repeat(62), "HTTP/1.1", "gw", atLimit.fields());
        refused(checks.check(over), 414, "longer than 64");
    }

    @Test
    void refusesHeaderNamesWithAnUnderscoreWhenConfigured() {
        refused(check("Host", "gw", "X_User", "a"), 400, "underscore");
        HeadChecks lenient = new HeadChecks(new LimitsConfig(64, 10, false, 1024, 0, Duration.ZERO));
        assertThat(lenient.check(head("GET", "HTTP/1.1", "Host", "gw", "X_User", "a"))).isEmpty();
    }

    @Test
    void refusesMoreFieldsThanTheLimitCountingEveryValue() {
        List<String> fields = new ArrayList<>(List.of("Host", "gw"));
        for (int i = 0; i < 9; i++) {
            fields.addAll(List.of("X-Same", "v" + i));
        }
        assertThat(check(fields.toArray(new String[0]))).isEmpty();
        fields.addAll(List.of("X-Same", "one more"));
        refused(check(fields.toArray(new String[0])), 431, "More than 10 header fields");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\rb", "a\nb", "\u007f", "\u001b[31m"})
    void refusesControlCharactersInValues(String value) {
        refused(check("Host", "gw", "X-A", value), 400, "control character");
    }

    @Test
    void allowsATabInAValue() {
        assertThat(check("Host", "gw", "X-A", "a\tb")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding ", " Host", "Content\tLength", "X\u0015A", "", "X:A", "X(A)",
        "Caf\u00e9", "\u0000", ":authority"})
    void refusesHeaderNamesThatAreNotTokens(String name) {
        refused(check("Host", "gw", name, "chunked"), 400, "header name is malformed");
    }

    @Test
    void acceptsEveryTokenCharacterInANameAndPseudoHeadersPastHttp1() {
        assertThat(check("Host", "gw", "!#$%&'*+-.^`|~09AZaz", "x")).isEmpty();
        assertThat(checks.check(head("GET", "HTTP/2.0", ":authority", "gw", "accept", "*/*"))).isEmpty();
        refused(checks.check(head("GET", "HTTP/2.0", ":", "gw")), 400, "header name is malformed");
        refused(checks.check(head("GET", "HTTP/2.0", "accept ", "*/*")), 400, "header name is malformed");
    }

    @Test
    void refusesAnOptionsBodyDeclaredByAnyContentLength() {
        // HTTP/2 leaves framing to the protocol, so only the OPTIONS rule reads these lengths
        refused(checks.check(head("OPTIONS", "HTTP/2.0", "content-length", "w", "content-length", "3")), 400,
                "OPTIONS request with a body");
        refused(checks.check(head("OPTIONS", "HTTP/2.0", "content-length", "0", "content-length", "3")), 400,
                "OPTIONS request with a body");
        assertThat(checks.check(head("OPTIONS", "HTTP/2.0", "content-length", "0", "content-length", " 00")))
                .isEmpty();
    }

    @Test
    void refusesAnOptionsBodyWithoutContentType() {
        refused(checks.check(head("OPTIONS", "HTTP/1.1", "Host", "gw", "Content-Length", "3")), 400,
                "OPTIONS request with a body");
        refused(checks.check(head("OPTIONS", "HTTP/2.0", "transfer-encoding", "chunked")), 400, "OPTIONS");
        assertThat(checks.check(head("OPTIONS", "HTTP/1.1", "Host", "gw", "Content-Length", "0"))).isEmpty();
        assertThat(checks.check(head("OPTIONS", "HTTP/1.1", "Host", "gw", "Content-Length", "3",
                "Content-Type", "text/plain"))).isEmpty();
    }

    @Test
    void requiresExactlyOneHostOnHttp1() {
        refused(check(), 400, "Host header is missing");
        refused(check("Host", "gw", "host", "gw"), 400, "More than one Host");
        assertThat(checks.check(head("GET", "HTTP/2.0"))).as("HTTP/2 has :authority instead").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gw:", "gw:123456", "g w", "[::1", "gw/x"})
    void refusesAMalformedHost(String host) {
        refused(check("Host", host), 400, "Host header is malformed");
    }

    @Test
    void refusesAHostOtherThanTheOneTheTargetNames() {
        refused(check("Host", "other"), 400, "names a host this gateway does not serve");
    }

    @Test
    void refusesContentLengthWithTransferEncoding() {
        refused(check("Host", "gw", "Transfer-Encoding", "chunked", "Content-Length", "5"), 400,
                "Content-Length together with Transfer-Encoding");
        refused(check("Host", "gw", "content-length", "5", "TRANSFER-ENCODING", "chunked"), 400,
                "together with");
    }

    @Test
    void refusesTransferEncodingOnHttp10() {
        refused(checks.check(head("POST", "HTTP/1.0", "Host", "gw", "Transfer-Encoding", "chunked")), 400,
                "HTTP/1.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "gzip, chunked", "chunked, chunked", "identity", "chunked;x=1", ""})
    void refusesTransferCodingsOtherThanChunked(String te) {
        refused(check("Host", "gw", "Transfer-Encoding", te), 501, "Only the chunked transfer coding");
    }

    @Test
    void refusesTwoTransferEncodingFields() {
        refused(check("Host", "gw", "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"), 501,
                "chunked");
    }

    @Test
    void refusesTwoContentLengthsEvenWhenEqual() {
        refused(check("Host", "gw", "Content-Length", "5", "Content-Length", "5"), 400,
                "More than one Content-Length");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+5", "-1", "5, 5", "0x10", "1e3", "1234567890123456789", "5 5"})
    void refusesAMalformedContentLength(String cl) {
        refused(check("Host", "gw", "Content-Length", cl), 400, "Content-Length header is malformed");
    }

    @Test
    void acceptsTheLongestContentLengthThatFitsALong() {
        assertThat(check("Host", "gw", "Content-Length", " 999999999999999999 ")).isEmpty();
    }

    @Test
    void leavesFramingToTheProtocolOnHttp2() {
        assertThat(checks.check(head("POST", "HTTP/2.0", "Content-Length", "5", "Transfer-Encoding", "gzip")))
                .isEmpty();
    }

    @Test
    void sameHeadSameAnswer() {
        ReceivedHead h = head("POST", "HTTP/1.1", "Host", "gw", "Content-Length", "x");
        assertThat(checks.check(h)).isEqualTo(checks.check(h)).isEqualTo(new HeadChecks(LIMITS).check(h));
    }
}
