package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Status;
import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorTrust;
import io.kubecrawl.worker.OperatorAddress;
import io.kubecrawl.worker.TokenSource;
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

    @Test
    void aRenewalAfterAFailedOneReconnectsAtOnceRatherThanAfterTheChannelsBackoff() {
        // The operator is down for two renewals (a restart), then answers again. gRPC's own reconnect backoff grows
        // to two minutes while it is down; the renewal after a failed one must reach the restarted operator within
        // its grace period, which counts on a live worker renewing at most two periods apart.
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        LeaseRenewer.Calls operator = new LeaseRenewer.Calls() {
            @Override
            public boolean renew(BatchRef batch, Duration deadline) {
                if (failuresLeft.getAndDecrement() > 0) {
                    calls.add("renew: unavailable");
                    throw Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException();
                }
                calls.add("renew: held");
                return true;
            }

            @Override
            public void resetConnectBackoff() {
                calls.add("reset backoff");
            }
        };
        StringWriter err = new StringWriter();
        Batch batch = Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(0).setNumber(1)).setLeaseSeconds(1)
                .build();

        try (LeaseRenewer renewer = new LeaseRenewer(operator, log(err), Duration.ofSeconds(30));
                LeaseRenewer.Renewal renewal = renewer.renew(batch, () -> { })) {
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.stream().filter("renew: held"::equals)
                    .count() >= 2);
            assertThat(renewal.lost()).isFalse();
        }

        assertThat(calls).startsWith("renew: unavailable", "reset backoff", "renew: unavailable",
                "reset backoff", "renew: held", "renew: held");
        assertThat(err.toString()).containsOnlyOnce("renewing the lease of batch 0/1 failed");
    }

    private static AgentLog log(StringWriter err) {
        Connection connection = new Connection(OperatorAddress.parse("127.0.0.1:9090"), "crawls", "quotes-1",
                "quotes-1-workers-x7k2p", TokenSource.configured(null, Map.of("KUBECRAWL_TOKEN", "t")).orElseThrow(), OperatorTrust.plaintext());
        RunSettings settings = new RunSettings(connection, Path.of("/workspace"), List.of("spider"),
                Path.of("/tmp/kubecrawl"), false, Path.of("/opt/kubecrawl/python"), Duration.ofMinutes(10),
                Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofMillis(200), Duration.ofSeconds(5), DiscoveryMode.LOCAL);
        return new AgentLog(new PrintWriter(err), "kubecrawl-worker run: ", new LogShipper(settings, line -> { }));
    }
}
