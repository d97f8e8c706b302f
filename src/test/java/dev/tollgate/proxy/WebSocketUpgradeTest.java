package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.junit.jupiter.api.Test;

class WebSocketUpgradeTest {
    /** RFC 6455 section 1.3's example key. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static RequestHead head(String method, String protocol, String... fields) {
        List<Header> headers = new ArrayList<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            headers.add(new BasicHeader(fields[i], fields[i + 1]));
        }
        return new RequestHead(method, "/x", null, headers, List.of(),
                new RequestHead.Peer("127.0.0.1", "http", "gw", 8080, protocol, false, "127.0.0.1"), null, "id", "tp", "up");
    }

    private static RequestHead valid(String... more) {
        List<String> f = new ArrayList<>(List.of("Connection", "keep-alive, Upgrade", "Upgrade", "WebSocket",
                "Sec-WebSocket-Key", KEY, "Sec-WebSocket-Version", "13"));
        f.addAll(List.of(more));
        return head("GET", "HTTP/1.1", f.toArray(new String[0]));
    }

    @Test
    void acceptsTheRfcExample() {
        assertThat(WebSocketUpgrade.accept(KEY)).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void classifiesAValidHandshakeInAnyCase() {
        assertThat(WebSocketUpgrade.classify(valid())).isEqualTo(WebSocketUpgrade.Kind.VALID);
    }

    @Test
    void anythingButAWebSocketUpgradeIsNone() {
        assertThat(WebSocketUpgrade.classify(head("GET", "HTTP/1.1"))).isEqualTo(WebSocketUpgrade.Kind.NONE);
        assertThat(WebSocketUpgrade.classify(head("GET", "HTTP/1.1", "Connection", "Upgrade, HTTP2-Settings",
                "Upgrade", "h2c"))).isEqualTo(WebSocketUpgrade.Kind.NONE);
    }

    @Test
    void refusesHandshakesThatBreakTheRules() {
        assertThat(WebSocketUpgrade.classify(head("POST", "HTTP/1.1", "Connection", "Upgrade", "Upgrade", "websocket",
                "Sec-WebSocket-Key", KEY, "Sec-WebSocket-Version", "13"))).isEqualTo(WebSocketUpgrade.Kind.INVALID);
        assertThat(WebSocketUpgrade.classify(head("GET", "HTTP/2.0", "Upgrade", "websocket",
                "Sec-WebSocket-Key", KEY, "Sec-WebSocket-Version", "13"))).isEqualTo(WebSocketUpgrade.Kind.INVALID);
        assertThat(WebSocketUpgrade.classify(head("GET", "HTTP/1.1", "Connection", "Upgrade", "Upgrade", "websocket",
                "Sec-WebSocket-Key", "short", "Sec-WebSocket-Version", "13"))).isEqualTo(WebSocketUpgrade.Kind.INVALID);
        assertThat(WebSocketUpgrade.classify(head("GET", "HTTP/1.1", "Connection", "Upgrade", "Upgrade", "websocket",
                "Sec-WebSocket-Key", KEY, "Sec-WebSocket-Version", "8"))).isEqualTo(WebSocketUpgrade.Kind.INVALID);
        assertThat(WebSocketUpgrade.classify(valid("Content-Length", "5"))).isEqualTo(WebSocketUpgrade.Kind.INVALID);
        assertThat(WebSocketUpgrade.classify(valid("Transfer-Encoding", "chunked")))
                .isEqualTo(WebSocketUpgrade.Kind.INVALID);
        assertThat(WebSocketUpgrade.classify(valid("Content-Length", "0"))).isEqualTo(WebSocketUpgrade.Kind.VALID);
    }

    @Test
    void checksTheUpstreamAccept() {
        BasicHttpResponse ok = new BasicHttpResponse(101);
        ok.addHeader("Upgrade", "websocket");
        ok.addHeader("Connection", "Upgrade");
        ok.addHeader("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(WebSocketUpgrade.checkAccepted(ok, KEY)).isNull();

        BasicHttpResponse wrong = new BasicHttpResponse(101);
        wrong.addHeader("Upgrade", "websocket");
        wrong.addHeader("Connection", "Upgrade");
        wrong.addHeader("Sec-WebSocket-Accept", WebSocketUpgrade.accept("AAAAAAAAAAAAAAAAAAAAAA=="));
        assertThat(WebSocketUpgrade.checkAccepted(wrong, KEY)).contains("Sec-WebSocket-Accept");
        assertThat(WebSocketUpgrade.checkAccepted(new BasicHttpResponse(403), KEY)).isEqualTo("status 403");
    }
}
