package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClientBodyTest {

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** Reads the body to the end in chunks of {@code chunk} bytes. */
    private static byte[] drain(ClientBody body, int chunk) throws IOException {
        byte[] all = new byte[0];
        byte[] buf = new byte[chunk];
        int n;
        while ((n = body.read(buf, 0, buf.length)) >= 0) {
            int old = all.length;
            all = Arrays.copyOf(all, old + n);
            System.arraycopy(buf, 0, all, old, n);
        }
        return all;
    }

    @Test
    void passesABodyOfExactlyTheLimitThroughUnchanged() throws IOException {
        ClientBody body = new ClientBody(new ByteArrayInputStream(bytes(100)), 100);
        assertThat(drain(body, 7)).isEqualTo(bytes(100));
        assertThat(body.count()).isEqualTo(100);
        assertThat(body.read()).isEqualTo(-1);
    }

    @Test
    void rejectsTheFirstByteBeyondTheLimit() throws IOException {
        ClientBody body = new ClientBody(new ByteArrayInputStream(bytes(101)), 100);
        byte[] buf = new byte[100];
        assertThat(body.read(buf, 0, 100)).isEqualTo(100);
        assertThatThrownBy(() -> body.read(buf, 0, 100))
                .isInstanceOf(ClientBody.TooLargeException.class)
                .isNotInstanceOf(ClientBody.ReadException.class)
                .hasMessage("request body larger than 100 bytes");
        assertThat(body.count()).isEqualTo(101);
    }

    @Test
    void rejectsAChunkThatCrossesTheLimit() {
        ClientBody body = new ClientBody(new ByteArrayInputStream(bytes(4096)), 1000);
        assertThatThrownBy(() -> drain(body, 512)).isInstanceOf(ClientBody.TooLargeException.class);
    }

    @Test
    void enforcesTheLimitOnSingleByteReads() throws IOException {
        ClientBody body = new ClientBody(new ByteArrayInputStream(new byte[] {(byte) 0xff, 2, 3, 4}), 3);
        assertThat(body.read()).as("unsigned").isEqualTo(0xff);
        assertThat(body.read()).isEqualTo(2);
        assertThat(body.read()).isEqualTo(3);
        assertThat(body.count()).isEqualTo(3);
        assertThatThrownBy(body::read).isInstanceOf(ClientBody.TooLargeException.class);
    }

    @Test
    void zeroLimitAcceptsOnlyAnEmptyBody() throws IOException {
        assertThat(new ClientBody(new ByteArrayInputStream(new byte[0]), 0).read()).isEqualTo(-1);
        assertThatThrownBy(() -> new ClientBody(new ByteArrayInputStream(new byte[1]), 0).read())
                .isInstanceOf(ClientBody.TooLargeException.class);
    }

    @Test
    void countsBytesReadSoFar() throws IOException {
        ClientBody body = new ClientBody(new ByteArrayInputStream(bytes(10)), 1000);
        assertThat(body.count()).isZero();
        body.read(new byte[4], 0, 4);
        assertThat(body.count()).isEqualTo(4);
        body.read();
        assertThat(body.count()).isEqualTo(5);
        body.read(new byte[100], 10, 90);
        assertThat(body.count()).isEqualTo(10);
        assertThat(body.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(body.count()).isEqualTo(10);
    }

    @Test
    void wrapsReadFailuresAsTheClientsKeepingTheCause() {
        IOException reset = new IOException("connection reset by peer");
        ClientBody body = new ClientBody(failing(reset), 1000);
        assertThatThrownBy(() -> body.read(new byte[10], 0, 10))
                .isInstanceOf(ClientBody.ReadException.class)
                .hasMessage("reading the request body failed")
                .hasCause(reset);
        assertThatThrownBy(body::read).isInstanceOf(ClientBody.ReadException.class);
    }

    @Test
    void wrapsReadTimeoutsToo() {
        SocketTimeoutException timeout = new SocketTimeoutException("Read timed out");
        assertThatThrownBy(() -> new ClientBody(failing(timeout), 1000).read())
                .isInstanceOf(ClientBody.ReadException.class).hasCauseReference(timeout);
    }

    @Test
    void doesNotCloseTheContainersStream() throws IOException {
        boolean[] closed = {false};
        InputStream in = new ByteArrayInputStream(bytes(3)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (ClientBody body = new ClientBody(in, 10)) {
            body.read();
        }
        assertThat(closed[0]).isFalse();
    }

    private static InputStream failing(IOException e) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw e;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw e;
            }
        };
    }
}
