package io.kubecrawl.operator.frontier;

import jakarta.enterprise.context.ApplicationScoped;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.protocol.CrawlJobName;

/**
 * An event source of the CrawlJob reconciler that fires when a job's frontier has just drained. Progress otherwise
 * reaches the status at the checkpoint interval, which is right while batches come and go; but the drain ends the
 * job, and the workers wait for the status to record it before they exit (see {@link Frontier#markDrainRecorded}),
 * so it is recorded at once rather than up to an interval later.
 */
@ApplicationScoped
public class DrainedFrontiers {
    private final SimpleInboundEventSource<CrawlJob> events = new SimpleInboundEventSource<>("drained-frontiers");

    /** For the reconciler to register. */
    public EventSource<Void, CrawlJob> eventSource() {
        return events;
    }

    /** Asks for a reconcile of {@code job} if its frontier is drained; a no-op before the operator has started. */
    public void reconcileIfDrained(CrawlJobName job, Frontier frontier) {
        if (frontier.isDrained() && events.isRunning()) {
            events.propagateEvent(new ResourceID(job.name(), job.namespace()));
        }
    }
}
