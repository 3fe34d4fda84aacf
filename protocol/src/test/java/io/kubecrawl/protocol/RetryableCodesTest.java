package io.kubecrawl.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class RetryableCodesTest {

    @Test
    void aStreamTheServerResetIsRetriedLikeAnOperatorThatIsNotReady() {
        // What a worker got, on the real control plane, when the operator's Deployment was scaled to zero mid-Lease.
        Status reset = Status.INTERNAL.withDescription(
                "RST_STREAM closed stream. HTTP/2 error code: INTERNAL_ERROR");

        assertThat(RetryableCodes.isRetryable(reset)).isTrue();
        assertThat(RetryableCodes.isRetryable(Status.UNAVAILABLE.withDescription("io exception"))).isTrue();
    }

    @Test
    void anyOtherInternalErrorOrARefusalIsNotRetried() {
        assertThat(RetryableCodes.isRetryable(Status.INTERNAL.withDescription("a bug in the operator"))).isFalse();
        assertThat(RetryableCodes.isRetryable(Status.INTERNAL)).isFalse();
        assertThat(RetryableCodes.isRetryable(Status.PERMISSION_DENIED.withDescription("wrong token"))).isFalse();
    }
}
