package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class InstanceOutcomesTest {
    @Test
    void anUpstreamFailureCountsAgainstTheService() {
        assertThat(InstanceOutcomes.countsAgainstService(new SocketTimeoutException("read timed out"))).isTrue();
        assertThat(InstanceOutcomes.countsAgainstService(new ConnectException("refused"))).isTrue();
    }

    @Test
    void theClientsFailuresDoNot() {
        assertThat(InstanceOutcomes.countsAgainstService(new ClientBody.TooLargeException(10))).isFalse();
        assertThat(InstanceOutcomes.countsAgainstService(new ClientBody.ReadException(new TimeoutException())))
                .isFalse();
        assertThat(InstanceOutcomes.countsAgainstService(new ClientBody.ReadException(new IOException("reset"))))
                .isFalse();
    }

    @Test
    void aFailureOfAnEjectedInstanceDoesNotAndKeepsItsCause() {
        SocketTimeoutException timeout = new SocketTimeoutException("read timed out");
        InstanceOutcomes.EjectedInstanceFailure f = new InstanceOutcomes.EjectedInstanceFailure(timeout);
        assertThat(InstanceOutcomes.countsAgainstService(f)).isFalse();
        assertThat(f.getCause()).isSameAs(timeout);
    }
}
