package dev.tollgate.cors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginsTest {
    private final Origins origins = new Origins(List.of("https://app.example.com", "http://localhost:3000",
            "https://*.example.org", "https://*.partner.net:8443"));

    @Test
    void exactOriginsMatchWithoutRegardToCase() {
        assertThat(origins.allows("https://app.example.com")).isTrue();
        assertThat(origins.allows("HTTPS://APP.EXAMPLE.COM")).isTrue();
        assertThat(origins.allows("http://localhost:3000")).isTrue();
    }

    @Test
    void exactOriginsNeedSchemeHostAndPortAllEqual() {
        assertThat(origins.allows("http://app.example.com")).isFalse();
        assertThat(origins.allows("https://app.example.com:8443")).isFalse();
        assertThat(origins.allows("http://localhost:3001")).isFalse();
        assertThat(origins.allows("https://app.example.com.evil.test")).isFalse();
        assertThat(origins.allows("null")).isFalse();
    }

    @Test
    void aPatternMatchesOneOrMoreLabelsInPlaceOfTheStar() {
        assertThat(origins.allows("https://a.example.org")).isTrue();
        assertThat(origins.allows("https://a.b-c.example.org")).isTrue();
        assertThat(origins.allows("https://shop.partner.net:8443")).isTrue();
    }

    @Test
    void aPatternNeverMatchesItsBareDomainAnotherSchemePortOrSuffix() {
        assertThat(origins.allows("https://example.org")).isFalse();
        assertThat(origins.allows("https://.example.org")).isFalse();
        assertThat(origins.allows("https://a..example.org")).isFalse();
        assertThat(origins.allows("http://a.example.org")).isFalse();
        assertThat(origins.allows("https://a.example.org:444")).isFalse();
        assertThat(origins.allows("https://evilexample.org")).isFalse();
        assertThat(origins.allows("https://a.example.org.evil.test")).isFalse();
        assertThat(origins.allows("https://evil.test/.example.org")).isFalse();
        assertThat(origins.allows("https://evil.test:1@x.example.org")).isFalse();
        assertThat(origins.allows("https://shop.partner.net")).isFalse();
    }

    @Test
    void starAllowsEveryOriginAndNull() {
        Origins any = new Origins(List.of("*"));
        assertThat(any.isAny()).isTrue();
        assertThat(any.allows("https://anything.test")).isTrue();
        assertThat(any.allows("null")).isTrue();
        assertThat(origins.isAny()).isFalse();
    }
}
