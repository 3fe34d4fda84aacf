package io.kubecrawl.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import org.junit.jupiter.api.Test;

/** Reconciles put off while the gate is closed each come once when it opens; after that none is put off. */
class ReconcilesAfterRecoveryTest {

    private final RecoveryGate gate = new RecoveryGate();
    private final ReconcilesAfterRecovery afterRecovery = new ReconcilesAfterRecovery(gate);
    private final List<ResourceID> reconciled = new ArrayList<>();

    @Test
    void eachJobPutOffIsReconciledOnceWhenTheGateOpens() throws Exception {
        EventSource<Void, CrawlJob> events = afterRecovery.eventSource();
        events.setEventHandler(event -> reconciled.add(event.getRelatedCustomResourceID()));
        events.start();

        assertThat(afterRecovery.deferUntilOpen(new ResourceID("a", "ns"))).isTrue();
        assertThat(afterRecovery.deferUntilOpen(new ResourceID("b", "ns"))).isTrue();
        assertThat(afterRecovery.deferUntilOpen(new ResourceID("a", "ns"))).isTrue();
        assertThat(reconciled).as("nothing before the gate opens").isEmpty();

        gate.open();

        assertThat(reconciled).containsExactlyInAnyOrder(new ResourceID("a", "ns"), new ResourceID("b", "ns"));
        assertThat(afterRecovery.deferUntilOpen(new ResourceID("c", "ns"))).as("the gate is open").isFalse();
        assertThat(reconciled).hasSize(2);
    }

    @Test
    void aSecondaryResourceAddedAsksForAReconcileOnlyOnceTheGateIsOpen() {
        OnAddFilter<Job> adds = afterRecovery.addsOnceOpen();
        Job job = new JobBuilder().withNewMetadata().withName("crawl-workers").endMetadata().build();

        assertThat(adds.accept(job)).as("gate closed").isFalse();
        gate.open();
        assertThat(adds.accept(job)).as("gate open").isTrue();
    }

    @Test
    void anActionGivenAfterTheGateOpenedRunsAtOnce() {
        gate.open();
        List<String> ran = new ArrayList<>();

        gate.whenOpen(() -> ran.add("now"));

        assertThat(ran).containsExactly("now");
    }
}
