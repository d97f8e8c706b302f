package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureMapperTest {
    private static final String HOST = "orders-7.internal.example";
    private static final BodyRate NO_MINIMUM_RATE = new BodyRate(0, Duration.ZERO, System::nanoTime);

    /** What a streamed request body reports when reading the client's body fails with {@code cause}. */
    private static Throwable readFailure(IOException cause) {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        new PipedBody(null, -1, 100, NO_MINIMUM_RATE, seen::set).failed(cause);
        assertThat(seen.get()).isInstanceOf(ClientBody.ReadException.class);
        return seen.get();
    }

    private static Throwable tooLarge() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        PipedBody pipe = new PipedBody(null, -1, 10, NO_MINIMUM_RATE, seen::set);
        assertThat(pipe.data(new byte[11], 0, 11)).as("reading stops").isFalse();
        assertThat(seen.get()).isInstanceOf(ClientBody.TooLargeException.class);
        return seen.get();
    }

    @Test
    void refusedConnectionIsBadGateway() {
        FailureAnswer f = FailureMapper.map(new ConnectException("Connection refused"));
        assertThat(f).isEqualTo(new FailureAnswer(502, "Bad Gateway", "The upstream service could not be reached.",
                false, false));
    }

    @Test
    void httpClientsRefusedConnectionIsBadGateway() {
        FailureAnswer f = FailureMapper.map(new HttpHostConnectException("Connect to http://" + HOST + ":8080 failed"));
        assertThat(f.status()).isEqualTo(502);
        assertThat(f.detail()).isEqualTo("The upstream service could not be reached.");
    }

    @Test
    void connectTimeoutIsBadGatewayNotGatewayTimeout() {
        FailureAnswer f = FailureMapper.map(new ConnectTimeoutException("Connect to " + HOST + " timed out"));
        assertThat(f.status()).isEqualTo(502);
        assertThat(f.detail()).isEqualTo("The upstream service could not be reached.");
    }

    @Test
    void unreachableOrUnresolvableUpstreamIsBadGateway() {
        assertThat(FailureMapper.map(new NoRouteToHostException("no route")).status()).isEqualTo(502);
        assertThat(FailureMapper.map(new UnknownHostException(HOST)).status()).isEqualTo(502);
    }

    @Test
    void responseTimeoutIsGatewayTimeout() {
        FailureAnswer f = FailureMapper.map(new SocketTimeoutException("Read timed out"));
        assertThat(f).isEqualTo(new FailureAnswer(504, "Gateway Timeout",
                "The upstream service did not answer in time.",
                false, false));
    }

    @Test
    void noFreePooledConnectionIsServiceUnavailable() {
        FailureAnswer f = FailureMapper.map(
                new ConnectionRequestTimeoutException("Timeout deadline: 5000 MILLISECONDS"));
        assertThat(f).isEqualTo(new FailureAnswer(503, "Service Unavailable",
                "No connection to the upstream service is free.", false, false));
    }

    @Test
    void noResponseIsBadGateway() {
        FailureAnswer f = FailureMapper.map(new NoHttpResponseException(HOST + ":8080 failed to respond"));
        assertThat(f).isEqualTo(new FailureAnswer(502, "Bad Gateway",
                "The upstream service failed to send a valid response.", false, false));
    }

    @Test
    void otherUpstreamIoFailuresAreBadGateway() {
        assertThat(FailureMapper.map(new IOException("boom")).status()).isEqualTo(502);
        assertThat(FailureMapper.map(new SocketException("Connection reset")).status()).isEqualTo(502);
        assertThat(FailureMapper.map(new ConnectionClosedException("Premature end")).status()).isEqualTo(502);
        assertThat(FailureMapper.map(new MalformedChunkCodingException("Bad chunk header")).status()).isEqualTo(502);
        assertThat(FailureMapper.map(new IllegalStateException("x")).status()).isEqualTo(502);
    }

    @Test
    void interruptedUpstreamIoIsGatewayTimeout() {
        assertThat(FailureMapper.map(new InterruptedIOException("interrupted")).status()).isEqualTo(504);
    }

    @Test
    void oversizedBodyIsContentTooLargeAndClosesTheConnection() {
        FailureAnswer f = FailureMapper.map(tooLarge());
        assertThat(f).isEqualTo(new FailureAnswer(413, "Content Too Large",
                "The request body is larger than this route accepts.", true, true));
    }

    @Test
    void clientBodyReadFailureIsBadRequestAndTheClientsFault() {
        FailureAnswer f = FailureMapper.map(readFailure(new IOException("Connection reset by peer")));
        assertThat(f).isEqualTo(new FailureAnswer(400, "Bad Request", "The request body could not be read.", true,
                true));
    }

    @Test
    void clientBodyReadFailureFromAMalformedChunkIsBadRequest() {
        assertThat(FailureMapper.map(readFailure(new MalformedChunkCodingException("bad chunk"))).status())
                .isEqualTo(400);
    }

    @Test
    void clientBodyReadTimeoutIsRequestTimeout() {
        FailureAnswer f = FailureMapper.map(readFailure(new SocketTimeoutException("Read timed out")));
        assertThat(f).isEqualTo(new FailureAnswer(408, "Request Timeout", "The request body was not received in time.",
                true, true));
    }

    @Test
    void clientBodyReadFailureCausedByAnIdleTimeoutIsRequestTimeout() {
        // Jetty reports an idle timeout as an IOException whose cause is a java.util.concurrent.TimeoutException
        IOException idle = new IOException(new TimeoutException("Idle timeout expired: 30000/30000 ms"));
        assertThat(FailureMapper.map(readFailure(idle)).status()).isEqualTo(408);
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new ConnectException("Connection refused: " + HOST + "/10.0.0.5:8080")),
                Arguments.of(new HttpHostConnectException("Connect to http://" + HOST + ":8080 failed")),
                Arguments.of(new ConnectTimeoutException("Connect to " + HOST + ":8080 timed out")),
                Arguments.of(new SocketTimeoutException("Read timed out from " + HOST)),
                Arguments.of(new ConnectionRequestTimeoutException("pool for " + HOST)),
                Arguments.of(new NoHttpResponseException(HOST + ":8080 failed to respond")),
                Arguments.of(new UnknownHostException(HOST)),
                Arguments.of(new IOException("stream from " + HOST + " broke")),
                Arguments.of(tooLarge()),
                Arguments.of(readFailure(new IOException("client " + HOST + " reset"))),
                Arguments.of(readFailure(new SocketTimeoutException("client " + HOST + " timed out"))));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void titleAndDetailNameNoExceptionClassOrHost(Throwable t) {
        FailureAnswer f = FailureMapper.map(t);
        for (String text : new String[] {f.title(), f.detail()}) {
            assertThat(text).isNotBlank()
                    .doesNotContain(HOST, "internal", "10.0.0.5", "8080", "Exception", "java.", "org.apache", "$")
                    .doesNotContain(t.getClass().getSimpleName())
                    .doesNotContain(t.getMessage());
        }
        assertThat(f.status()).isBetween(400, 599);
    }
}
