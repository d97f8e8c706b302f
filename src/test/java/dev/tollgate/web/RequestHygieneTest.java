package dev.tollgate.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHygieneTest {

    @ParameterizedTest
    @CsvSource({
        "example.com, example.com",
        "Example.COM:8080, example.com",
        "127.0.0.1:1, 127.0.0.1",
        "[::1], [::1]",
        "[2001:DB8::1]:443, [2001:db8::1]",
        "a-b_c~d, a-b_c~d",
        "x:65535, x"
    })
    void hostNameKeepsTheHostPart(String header, String expected) {
        assertEquals(expected, RequestHygiene.hostName(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":80", "host:", "host:123456", "host:8a", "host:80:81", "[::1", "[]", "[::1]x",
        "[::1]:", "[zz::1]", "ho st", "host/x", "host@x", "[::1]:123456", "host\u0000"})
    void malformedHostIsNull(String header) {
        assertNull(RequestHygiene.hostName(header));
    }

    @org.junit.jupiter.api.Test
    void absentHostIsNull() {
        assertNull(RequestHygiene.hostName(null));
    }
}
