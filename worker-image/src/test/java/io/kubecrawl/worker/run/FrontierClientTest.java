package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class FrontierClientTest {

    @Test
    void aCallCutByTheOperatorShuttingDownIsTriedAgainAndARefusalIsNot() {
        // A Lease in flight while the operator's Deployment was scaled to zero, on the real control plane: the worker
        // exited 3 on it before.
        assertThat(FrontierClient.isTransient(Status.INTERNAL
                .withDescription("RST_STREAM closed stream. HTTP/2 error code: INTERNAL_ERROR").asRuntimeException()))
                .isTrue();
        assertThat(FrontierClient.isTransient(Status.UNAVAILABLE.asException())).isTrue();
        assertThat(FrontierClient.isTransient(Status.PERMISSION_DENIED.asRuntimeException())).isFalse();
        assertThat(FrontierClient.isTransient(new IllegalStateException("not a call"))).isFalse();
    }
}
