package io.kubecrawl.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StatusRecorderTest {

    KubernetesClient client;

    /** Seen on a real API server: a reconcile of a CrawlJob deleted meanwhile failed with 404 and a stack trace. */
    @Test
    void aStatusForAResourceDeletedMeanwhileIsDroppedWithoutAnError() {
        CrawlJob job = new CrawlJob();
        job.setMetadata(new ObjectMetaBuilder().withName("gone").withNamespace("crawls").withUid("u-1").build());
        job.setSpec(new CrawlJobSpec());
        CrawlJob created = client.resource(job).create();
        client.resource(created).delete();
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(CrawlJobPhase.Running);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();

        boolean written = new StatusRecorder(client, meters).record(created, status);

        assertThat(written).isFalse();
        assertThat(meters.counter(StatusRecorder.METRIC, "kind", "CrawlJob", "outcome", "gone").count())
                .isEqualTo(1.0);
    }
}
