package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.TIMEOUT;
import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubecrawl.e2e.node.OperatorJdk;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart as a platform team uses it: installed by the suite's set-up (helm-java, its CRDs first, waiting for the
 * operator to be ready), then upgraded with a changed value, which rolls the operator's Deployment to a new pod that
 * runs under the chart's ServiceAccount and starts from the class-data archive the first pod wrote.
 */
@ExtendWith(ClusterUnderTest.class)
@Order(2)
class ChartOnClusterTest {

    @Test
    void theOperatorRunsAsTheDeploymentsPodUnderTheChartsServiceAccount() {
        Pod operator = operatorPod();

        assertThat(operator.getSpec().getServiceAccountName()).isEqualTo(KubecrawlChart.RELEASE);
        assertThat(operator.getSpec().getContainers().get(0).getImage()).isEqualTo(cluster().operatorImage());
        assertThat(operator.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("ReplicaSet"));
    }

    @Test
    void anUpgradeWithAChangedValueRollsTheOperatorToANewPod() {
        Pod before = operatorPod();
        // The first operator of this build on the data volume writes the JVM's class-data archive a minute after its
        // recovery.
        await("the first operator's class-data archive").atMost(TIMEOUT).until(() -> cluster()
                .containerLogs(KubecrawlChart.NAMESPACE).contains("Class-data archive written to "));

        KubecrawlChart.upgrade(cluster().kubeConfig(), cluster().operatorImage(), cluster().workerImage(),
                Map.of("upload.maxBytes", "268435456"), TIMEOUT);

        Pod after = await("the upgraded operator's pod, ready").atMost(TIMEOUT).until(ChartOnClusterTest::operatorPod,
                pod -> pod != null && !pod.getMetadata().getUid().equals(before.getMetadata().getUid())
                        && isReady(pod));
        List<EnvVar> env = after.getSpec().getContainers().get(0).getEnv();
        assertThat(env).anySatisfy(var -> {
            assertThat(var.getName()).isEqualTo("KUBECRAWL_UPLOAD_MAX_BYTES");
            assertThat(var.getValue()).isEqualTo("268435456");
        });
        assertThat(client().apps().deployments().inNamespace(KubecrawlChart.NAMESPACE)
                .withName(KubecrawlChart.RELEASE).get().getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision", "2");
        // The new pod of the same build starts from it.
        String logs = cluster().containerLogs(KubecrawlChart.NAMESPACE);
        String kind = OperatorJdk.home().isPresent() ? "aot" : "jsa";
        assertThat(logs.lines()).as("the operators' logs").anyMatch(line -> line.matches(
                "kubecrawl-operator: starting from the class-data archive \\S*/class-data/operator-\\d+\\." + kind));
        assertThat(logs.lines().filter(line -> line.contains("[cds]") || line.contains("[aot]")).toList())
                .as("the JVM's complaints about the archive").isEmpty();
    }

    /** The operator's one pod that is not being deleted, or null while there is none or more than one. */
    static Pod operatorPod() {
        List<Pod> pods = client().pods().inNamespace(KubecrawlChart.NAMESPACE)
                .withLabel("app.kubernetes.io/instance", KubecrawlChart.RELEASE).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
        return pods.size() == 1 ? pods.get(0) : null;
    }

    static boolean isReady(Pod pod) {
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Restarts of the operator's container in {@code pod}; -1 before the pod reports its container. */
    static int restartCount(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                || pod.getStatus().getContainerStatuses().isEmpty()) {
            return -1;
        }
        return pod.getStatus().getContainerStatuses().get(0).getRestartCount();
    }
}
