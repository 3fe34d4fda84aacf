package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LeaseRenewerTest {

    @Test
    void aLeaseIsRenewedEveryThirdOfItsLengthSoThatTwoRenewalsMayFailBeforeItExpires() {
        assertThat(LeaseRenewer.period(30)).isEqualTo(Duration.ofSeconds(10));
        assertThat(LeaseRenewer.period(3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(LeaseRenewer.period(1)).isEqualTo(Duration.ofMillis(333));
    }

    @Test
    void anUnknownLeaseLengthIsRenewedOftenEnoughForAnyLeaseAndTinyOnesNotInABusyLoop() {
        assertThat(LeaseRenewer.period(0)).isEqualTo(LeaseRenewer.UNKNOWN_LEASE_PERIOD);
        assertThat(LeaseRenewer.period(-5)).isEqualTo(LeaseRenewer.UNKNOWN_LEASE_PERIOD);
    }
}
