package io.kubecrawl.worker.run;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;

/**
 * Keeps the lease of the running batch: renews it every third of the lease, so that two renewals may fail before it
 * expires. When the operator answers that it no longer holds the batch for this worker (the lease expired and the
 * batch may run elsewhere), it calls the lost-lease action once and stops renewing.
 *
 * <p>A restarted operator has forgotten every lease: it gives the batch back to the worker that presents it on its
 * next Renew, and leases nothing to others for two renewal periods. So after a failed renewal the next one connects
 * at once, and the period here is what the operator's grace period ({@code Frontier.restartGrace}) counts on.
 */
public final class LeaseRenewer implements AutoCloseable {
    static final Duration SHORTEST_PERIOD = Duration.ofMillis(250);
    /** When the operator gives no lease length: often enough for any lease a sane operator hands out. */
    static final Duration UNKNOWN_LEASE_PERIOD = Duration.ofSeconds(5);

    /** The operator calls the renewer makes: {@link FrontierClient}'s in the agent, a fake in tests. */
    interface Calls {
        /** See {@link FrontierClient#renew}. */
        boolean renew(BatchRef batch, Duration deadline);

        /** See {@link FrontierClient#resetConnectBackoff}. */
        void resetConnectBackoff();
    }

    private final Calls frontier;
    private final AgentLog log;
    private final Duration callTimeout;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "lease-renewer");
        thread.setDaemon(true);
        return thread;
    });

    public LeaseRenewer(FrontierClient frontier, AgentLog log, Duration callTimeout) {
        this(new Calls() {
            @Override
            public boolean renew(BatchRef batch, Duration deadline) {
                return frontier.renew(batch, deadline);
            }

            @Override
            public void resetConnectBackoff() {
                frontier.resetConnectBackoff();
            }
        }, log, callTimeout);
    }

    LeaseRenewer(Calls frontier, AgentLog log, Duration callTimeout) {
        this.frontier = frontier;
        this.log = log;
        this.callTimeout = callTimeout;
    }

    /** The renewal period of a lease of {@code leaseSeconds}. */
    static Duration period(int leaseSeconds) {
        if (leaseSeconds <= 0) {
            return UNKNOWN_LEASE_PERIOD;
        }
        Duration third = Duration.ofMillis(leaseSeconds * 1000L / 3);
        return third.compareTo(SHORTEST_PERIOD) < 0 ? SHORTEST_PERIOD : third;
    }

    /** Starts renewing {@code batch}'s lease until the returned renewal is closed. */
    Renewal renew(Batch batch, Runnable onLost) {
        Duration period = period(batch.getLeaseSeconds());
        Duration deadline = period.compareTo(callTimeout) < 0 ? period : callTimeout;
        Renewal renewal = new Renewal(batch.getRef(), deadline, onLost);
        renewal.task = scheduler.scheduleWithFixedDelay(renewal::tick, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return renewal;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** The renewals of one batch's lease. */
    final class Renewal implements AutoCloseable {
        private final BatchRef batch;
        private final Duration deadline;
        private final Runnable onLost;
        private volatile ScheduledFuture<?> task;
        private boolean lost;
        private boolean closed;
        private boolean failing;

        private Renewal(BatchRef batch, Duration deadline, Runnable onLost) {
            this.batch = batch;
            this.deadline = deadline;
            this.onLost = onLost;
        }

        /** Whether the operator said the lease was lost. */
        synchronized boolean lost() {
            return lost;
        }

        // Synchronized with close(): once close() returns, no tick is half-way and lost() is final.
        private synchronized void tick() {
            if (closed || lost) {
                return;
            }
            boolean held;
            if (failing) {
                // The last renewal failed: the operator may be restarting. gRPC would reconnect only after its own
                // backoff, which grows to two minutes while the operator is down; the restarted operator waits for
                // its workers' renewals for just two renewal periods before it leases their batches to others.
                frontier.resetConnectBackoff();
            }
            try {
                held = frontier.renew(batch, deadline);
            } catch (StatusRuntimeException failed) {
                // Not fatal: the lease outlives two more attempts, and a later call reports lasting trouble.
                if (!failing) {
                    failing = true;
                    log.info(batch, "renewing the lease of batch " + BatchNames.name(batch) + " failed ("
                            + FrontierCallException.describe(Status.fromThrowable(failed)) + "); trying again");
                }
                return;
            }
            failing = false;
            if (!held) {
                lost = true;
                ScheduledFuture<?> scheduled = task;
                if (scheduled != null) {
                    scheduled.cancel(false);
                }
                log.info(batch, "the lease of batch " + BatchNames.name(batch) + " was lost (it expired and may run "
                        + "elsewhere); stopping the spider, the batch is not reported");
                onLost.run();
            }
        }

        @Override
        public void close() {
            ScheduledFuture<?> scheduled = task;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            synchronized (this) {
                closed = true;
            }
        }
    }
}
