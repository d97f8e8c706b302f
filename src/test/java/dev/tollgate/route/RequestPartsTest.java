package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cookie and query-string readers behind predicates and sticky splits. */
class RequestPartsTest {
    @Test
    void cookieValueIsFoundInAnyFieldAndPair() {
        assertThat(Cookies.value(List.of("a=1; session=xyz; b=2"), "session")).isEqualTo("xyz");
        assertThat(Cookies.value(List.of("a=1", "session=xyz"), "session")).isEqualTo("xyz");
        assertThat(Cookies.value(List.of("session=\"q\""), "session")).isEqualTo("q");
        assertThat(Cookies.value(List.of("session="), "session")).isEmpty();
        assertThat(Cookies.value(List.of("mysession=1; sessionx=2"), "session")).isNull();
        assertThat(Cookies.value(List.of("session"), "session")).isNull();
        assertThat(Cookies.value(List.of(), "session")).isNull();
        assertThat(Cookies.value(List.of("session=first; session=second"), "session")).isEqualTo("first");
    }

    @Test
    void queryParametersAreDecodedAsFormsEncodeThem() {
        assertThat(QueryParams.has("q=a+b", "q", "a b")).isTrue();
        assertThat(QueryParams.has("q=caf%C3%A9", "q", "café")).isTrue();
        assertThat(QueryParams.has("q=%zz", "q", "%zz")).as("malformed escape kept").isTrue();
        assertThat(QueryParams.has("q=%4", "q", "%4")).isTrue();
        assertThat(QueryParams.has("&&q=1&", "q", "1")).isTrue();
        assertThat(QueryParams.has("q", "q", null)).isTrue();
        assertThat(QueryParams.has("q", "q", "")).isTrue();
        assertThat(QueryParams.has("q=1", "r", null)).isFalse();
        assertThat(QueryParams.has("q=1=2", "q", "1=2")).isTrue();
        assertThat(QueryParams.has(null, "q", null)).isFalse();
    }
}
