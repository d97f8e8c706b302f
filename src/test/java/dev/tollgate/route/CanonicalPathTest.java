package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalPathTest {

    private static void assertRejected(String raw, String reasonFragment) {
        assertThatThrownBy(() -> CanonicalPath.of(raw))
                .isInstanceOf(CanonicalPath.InvalidPathException.class)
                .hasMessageContaining(reasonFragment);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/a/./b,          /a/b",
        "/a/b/../c,       /a/c",
        "/a/b/..,         /a/",
        "/a/b/.,          /a/b/",
        "/a/.,            /a/",
        "/a/..,           /",
        "/.,              /",
        "/./,             /",
        "/a/../,          /",
        "/a/b/../../c,    /c",
        "/a/./b/./c/.,    /a/b/c/",
        "/a/b/c/../../d,  /a/d",
        "/a/./,           /a/",
    })
    void removesDotSegmentsAsRfc3986Section524(String raw, String expected) throws Exception {
        assertThat(CanonicalPath.of(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../a", "/a/../..", "/a/../../b", "/a/b/../../..", "/./.."})
    void rejectsPathsClimbingAboveTheRoot(String raw) {
        assertRejected(raw, "above the root");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/",
        "/api/orders/7",
        "/api/orders/",
        "/caf%C3%A9",
        "/a%20b",
        "/%E2%82%AC/%F0%9F%98%80/%ED%9F%BF/%F4%8F%BF%BF",
        "/.hidden",
        "/..foo/bar...",
        "/a.b/c..d",
        "/-._~!$&'()*+,=:@",
        "/UPPER/lower/0123456789",
    })
    void keepsOrdinaryPathsByteExact(String raw) throws Exception {
        assertThat(CanonicalPath.of(raw)).isEqualTo(raw);
    }

    @Test
    void keepsPercentEncodingsAsReceivedWhileRemovingDotSegments() throws Exception {
        assertThat(CanonicalPath.of("/caf%C3%A9/./x/../y%20z")).isEqualTo("/caf%C3%A9/y%20z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%2e", "/%2E", "/a/%2e%2e/b", "/a/%2E%2E", "/a%2eb", "/%2e/x"})
    void rejectsEncodedDots(String raw) {
        assertRejected(raw, "encoded dots");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2fb", "/a%2Fb", "/a%5cb", "/a%5Cb", "/a%3bb", "/a%3Bjsessionid=x"})
    void rejectsEncodedSlashesBackslashesAndSemicolons(String raw) {
        assertRejected(raw, "encoded dots, slashes, backslashes and semicolons");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%252e", "/%252E%252E/x", "/a%25", "/%252f"})
    void rejectsDoublePercentEncoding(String raw) {
        assertRejected(raw, "double percent-encoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%00", "/a%00.html", "/%01", "/%0a", "/%0D%0A", "/%09", "/%1f", "/%1F", "/%7f", "/%7F"})
    void rejectsEncodedControlCharacters(String raw) {
        assertRejected(raw, "control characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/%C0%AE%C0%AE/admin", "/a%C0%AFb", "/%E0%80%AE", "/%F0%80%80%AF", "/%C1%81", // overlong forms
        "/%FF", "/%80", "/%BF", "/%F5%80%80%80", "/%F4%90%80%80", // bytes that never start a character, > U+10FFFF
        "/%ED%A0%80", "/%ED%BF%BF", // UTF-16 surrogates
        "/%C3", "/%C3/x", "/%E2%82", "/%E2%82a", "/%C3%C3%A9", // sequences cut short
    })
    void rejectsPercentEncodedBytesThatAreNotWellFormedUtf8(String raw) {
        assertRejected(raw, "not well-formed UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%zz", "/%2", "/a%", "/%", "/%g1", "/%1g", "/a%2/b", "/%%41", "/% 1"})
    void rejectsMalformedPercentEncoding(String raw) {
        assertRejected(raw, "malformed percent-encoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a\\b", "\\", "/a\\..\\b", "/\\"})
    void rejectsRawBackslashes(String raw) {
        assertThatThrownBy(() -> CanonicalPath.of(raw)).isInstanceOf(CanonicalPath.InvalidPathException.class);
    }

    @Test
    void rejectsRawBackslashWithItsOwnReason() {
        assertRejected("/a\\b", "backslashes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a;jsessionid=x", "/a;b/c", "/;", "/a/..;/b", "/a/.;/b", "/secure;/admin"})
    void rejectsPathParameters(String raw) {
        assertRejected(raw, "path parameters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"//", "//a", "/a//b", "/a/b//", "/a/.//b"})
    void rejectsEmptySegments(String raw) {
        assertRejected(raw, "empty path segments");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/a\u0000b", "/a b", "/a\tb", "/a\rb", "/a\nb", "/a\u007fb", "/caf\u00e9", "/a\"b", "/a<b>", "/a{b}",
        "/a|b", "/a^b", "/a`b", "/a[b]", "/a#b", "/a?b",
    })
    void rejectsRawCharactersThatMustBePercentEncoded(String raw) {
        assertRejected(raw, "must be percent-encoded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "./a", "*", "%2fa", "http://host/a"})
    void rejectsPathsNotStartingWithSlash(String raw) {
        assertRejected(raw, "must start with /");
    }

    @Test
    void rejectsNullPath() {
        assertRejected(null, "must start with /");
    }

    @Test
    void rejectionReasonsNameNoInputAndAreSafeToShow() {
        assertThatThrownBy(() -> CanonicalPath.of("/secret%2e%2e/<script>"))
                .isInstanceOf(CanonicalPath.InvalidPathException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret", "<script>"));
    }

    @Test
    void decodesEncodedUnreservedCharactersSoTheyCannotDodgeARoute() throws Exception {
        assertThat(CanonicalPath.of("/%61dmin/users")).isEqualTo("/admin/users");
        assertThat(CanonicalPath.of("/a%7Eb%2D%5F")).isEqualTo("/a~b-_");
    }

    @Test
    void upperCasesTheHexOfOtherEncodings() throws Exception {
        assertThat(CanonicalPath.of("/caf%c3%a9/x%20y")).isEqualTo("/caf%C3%A9/x%20y");
    }
}
