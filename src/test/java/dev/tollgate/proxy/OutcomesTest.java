package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OutcomesTest {
    @Test
    void anUpstreamFailureCountsAgainstTheService() {
        assertThat(Outcomes.countsAgainstService(new SocketTimeoutException("read timed out"))).isTrue();
        assertThat(Outcomes.countsAgainstService(new ConnectException("refused"))).isTrue();
    }

    @Test
    void theClientsFailuresDoNot() {
        assertThat(Outcomes.countsAgainstService(new ClientBody.TooLargeException(10))).isFalse();
        assertThat(Outcomes.countsAgainstService(new ClientBody.ReadException(new TimeoutException()))).isFalse();
        assertThat(Outcomes.countsAgainstService(new ClientBody.ReadException(new IOException("reset")))).isFalse();
    }

    @Test
    void aFailureOfAnEjectedInstanceDoesNotAndKeepsItsCause() {
        SocketTimeoutException timeout = new SocketTimeoutException("read timed out");
        Outcomes.EjectedInstanceFailure f = new Outcomes.EjectedInstanceFailure(timeout);
        assertThat(Outcomes.countsAgainstService(f)).isFalse();
        assertThat(f.getCause()).isSameAs(timeout);
    }
}
