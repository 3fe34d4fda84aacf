package io.kubecrawl.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.SpiderStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StatusRecorderTest {

    KubernetesClient client;
    KubernetesMockServer server;

    /**
     * One request per write: a CrawlJob's status is written on its first reconcile after a restart, so a read before
     * each write would double the operator's requests when it recovers.
     */
    @Test
    void aStatusIsWrittenWithOnePatchAndNoReadOfTheResource() throws InterruptedException {
        CrawlJob created = createdWithItsRequestsTaken("crawl");
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(CrawlJobPhase.Running);

        boolean written = new StatusRecorder(client, new SimpleMeterRegistry()).record(created, status);

        assertThat(written).isTrue();
        RecordedRequest only = server.takeRequest(100, TimeUnit.MILLISECONDS);
        assertThat(only.getMethod()).isEqualTo("PATCH");
        assertThat(only.getPath()).isEqualTo("/apis/kubecrawl.io/v1alpha1/namespaces/crawls/crawljobs/crawl/status");
        assertThat(server.takeRequest(100, TimeUnit.MILLISECONDS)).as("no other request").isNull();
        assertThat(client.resources(CrawlJob.class).inNamespace("crawls").withName("crawl").get().getStatus()
                .getPhase()).isEqualTo(CrawlJobPhase.Running);
    }

    @Test
    void aStatusEqualToTheResourcesOrToTheLastOneWrittenIsNotWrittenAgain() throws InterruptedException {
        CrawlJob created = createdWithItsRequestsTaken("same");
        StatusRecorder recorder = new StatusRecorder(client, new SimpleMeterRegistry());

        assertThat(recorder.record(created, runningSince("2026-12-06T10:00:00Z"))).isTrue();
        assertThat(server.takeRequest(100, TimeUnit.MILLISECONDS).getMethod()).isEqualTo("PATCH");
        // The informer may still hand out the resource as it was before that write.
        assertThat(recorder.record(created, runningSince("2026-12-06T10:00:00Z"))).as("as last written").isFalse();
        CrawlJob read = client.resources(CrawlJob.class).inNamespace("crawls").withName("same").get();
        assertThat(new StatusRecorder(client, new SimpleMeterRegistry()).record(read,
                runningSince("2026-12-06T10:00:00Z"))).as("as the resource carries it").isFalse();
        assertThat(server.takeRequest(100, TimeUnit.MILLISECONDS)).as("only the read").satisfies(
                request -> assertThat(request.getMethod()).isEqualTo("GET"));
        assertThat(server.takeRequest(100, TimeUnit.MILLISECONDS)).as("no write").isNull();

        assertThat(recorder.record(read, runningSince("2026-12-06T11:00:00Z"))).as("a changed condition").isTrue();
    }

    /**
     * {@link StatusRecorder} compares statuses as JSON text, which holds only while a status writes its fields in one
     * order: a map in a status could write equal contents in another order and be written again on every reconcile.
     */
    @Test
    void statusClassesHoldNoMaps() {
        Set<Class<?>> seen = new HashSet<>();
        Deque<Type> types = new ArrayDeque<>(List.of(CrawlJobStatus.class, SpiderStatus.class));
        List<String> maps = new ArrayList<>();
        while (!types.isEmpty()) {
            Type type = types.pop();
            if (type instanceof ParameterizedType parameterized) {
                types.push(parameterized.getRawType());
                List.of(parameterized.getActualTypeArguments()).forEach(types::push);
                continue;
            }
            if (!(type instanceof Class<?> cls) || !seen.add(cls) || !cls.getPackageName().startsWith("io.kubecrawl")) {
                if (type instanceof Class<?> cls && Map.class.isAssignableFrom(cls)) {
                    maps.add(cls.getName());
                }
                continue;
            }
            for (Field field : cls.getDeclaredFields()) {
                if (Map.class.isAssignableFrom(field.getType())) {
                    maps.add(cls.getSimpleName() + "." + field.getName());
                }
                types.push(field.getGenericType());
            }
        }
        assertThat(seen).as("the walk reached the nested classes").contains(Condition.class);
        assertThat(maps).isEmpty();
    }

    /** A CrawlJob created in namespace crawls, with the mock server's record of its creation taken. */
    private CrawlJob createdWithItsRequestsTaken(String name) throws InterruptedException {
        CrawlJob job = new CrawlJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("crawls").build());
        job.setSpec(new CrawlJobSpec());
        CrawlJob created = client.resource(job).create();
        while (server.takeRequest(100, TimeUnit.MILLISECONDS) != null) {
            // the creation
        }
        return created;
    }

    private static CrawlJobStatus runningSince(String time) {
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(CrawlJobPhase.Running);
        Condition ready = new Condition();
        ready.setType("Ready");
        ready.setStatus("True");
        ready.setReason("WorkersRunning");
        ready.setLastTransitionTime(time);
        status.setConditions(List.of(ready));
        return status;
    }

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

    @Test
    void aPatchTheApiServerRefusesFailsTheReconcileWithItsCode() {
        CrawlJob job = new CrawlJob();
        job.setMetadata(new ObjectMetaBuilder().withName("refused").withNamespace("crawls").withUid("u-2").build());
        job.setSpec(new CrawlJobSpec());
        CrawlJob created = client.resource(job).create();
        server.expect().patch().withPath("/apis/kubecrawl.io/v1alpha1/namespaces/crawls/crawljobs/refused/status")
                .andReturn(422, "{\"kind\":\"Status\",\"message\":\"status.phase: Unsupported value\"}").once();
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(CrawlJobPhase.Running);

        assertThatThrownBy(() -> new StatusRecorder(client, new SimpleMeterRegistry()).record(created, status))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("status.phase: Unsupported value");
    }
}
