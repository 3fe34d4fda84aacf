package io.kubecrawl.operator.recovery;

import java.util.HashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.kubecrawl.crd.v1alpha1.CrawlJob;

/**
 * An event source of the CrawlJob reconciler for the reconciles put off until the {@link RecoveryGate} opens. While
 * the gate is closed no worker is served, so no job's frontier changes and a job has nothing to checkpoint: its
 * reconcile asks to run again when the gate opens rather than every checkpoint interval. After a restart with a
 * thousand jobs, those periodic reconciles were half the reconciles between the operator's start and its readiness.
 * Every reconcile that runs while the gate is closed asks for another, on the caches as they are then: when the gate
 * opens, or sooner for a Completing job, which comes back every 100 ms until it is finished.
 */
@ApplicationScoped
public class ReconcilesAfterRecovery {

    private final SimpleInboundEventSource<CrawlJob> events =
            new SimpleInboundEventSource<>("reconciles-after-recovery");
    private final Set<ResourceID> deferred = new HashSet<>();
    private boolean open;

    private final RecoveryGate gate;

    public ReconcilesAfterRecovery(RecoveryGate gate) {
        this.gate = gate;
        gate.whenOpen(this::opened);
    }

    /**
     * For the reconciler's informers of secondary resources (the Spider, the worker Job, the token Secret): while the
     * gate is closed, a resource added asks for no reconcile of the jobs it belongs to. At a start those informers'
     * first lists add every resource, each asking for a reconcile of its jobs (a Spider, of all of them): up to three
     * reconciles a job more, which compete with the first reconciles the gate waits for. None is needed: a job's first
     * reconcile reads those resources from the caches, synced before it, and every reconcile while the gate is closed
     * asks for another (see above).
     */
    public <R> OnAddFilter<R> addsOnceOpen() {
        return resource -> gate.isOpen();
    }

    /** For the reconciler to register. */
    public EventSource<Void, CrawlJob> eventSource() {
        return events;
    }

    /**
     * Puts the next reconcile of {@code job} off until the gate opens, if it is still closed.
     *
     * @return false if the gate is open: the caller schedules the next reconcile itself
     */
    public synchronized boolean deferUntilOpen(ResourceID job) {
        if (open) {
            return false;
        }
        deferred.add(job);
        return true;
    }

    private synchronized void opened() {
        open = true;
        if (events.isRunning()) {
            // Not running only when no reconciler registered it, and then nothing was put off.
            deferred.forEach(events::propagateEvent);
        }
        deferred.clear();
    }
}
