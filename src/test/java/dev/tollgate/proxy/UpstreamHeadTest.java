package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpstreamHeadTest {
    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepsTheBytesAfterA101ForTheTunnel() throws IOException {
        UpstreamHead h = UpstreamHead.read(in("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\n\u0081\u0002hi"));
        assertThat(h.response().getCode()).isEqualTo(101);
        assertThat(h.response().getFirstHeader("upgrade").getValue()).isEqualTo("websocket");
        assertThat(new String(h.rest(), StandardCharsets.ISO_8859_1)).isEqualTo("\u0081\u0002hi");
    }

    @Test
    void readsARefusalBodyByLengthOrChunks() throws IOException {
        InputStream s = in("HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope");
        UpstreamHead h = UpstreamHead.read(s);
        assertThat(new String(h.body(s), StandardCharsets.US_ASCII)).isEqualTo("nope");

        InputStream c = in("HTTP/1.1 426 Upgrade Required\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n");
        UpstreamHead chunked = UpstreamHead.read(c);
        assertThat(new String(chunked.body(c), StandardCharsets.US_ASCII)).isEqualTo("abcde");
    }

    @Test
    void refusesWhatIsNotAResponse() {
        assertThatThrownBy(() -> UpstreamHead.read(in("SSH-2.0-OpenSSH\r\n\r\n"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> UpstreamHead.read(in("HTTP/1.1 101 Switching"))).isInstanceOf(EOFException.class);
        InputStream s = in("HTTP/1.1 403 Forbidden\r\nContent-Length: 10\r\n\r\nshort");
        assertThatThrownBy(() -> UpstreamHead.read(s).body(s)).isInstanceOf(EOFException.class);
    }
}
