package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

/**
 * What the worker pods are told about the operator's gRPC transport: with TLS, the CA from their job's Secret and no
 * plaintext flag; with plaintext, the explicit flag and no CA. Both containers alike.
 */
class WorkerTransportTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private static List<Map<String, EnvVar>> agentEnvironments(WorkerTransport transport) {
        Job job = new WorkerJobFactory("worker:1", "operator.test:9090", 10, transport)
                .build(RecoveryExamples.crawlJob(null, 0), RecoveryExamples.spider(DIGEST), DIGEST);
        List<Container> containers = List.of(job.getSpec().getTemplate().getSpec().getInitContainers().get(0),
                job.getSpec().getTemplate().getSpec().getContainers().get(0));
        return containers.stream().map(container -> container.getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, Function.identity()))).toList();
    }

    @Test
    void withTlsWorkersReadTheCaFromTheirJobsSecretAndAreNotToldToDialPlaintext() {
        for (Map<String, EnvVar> env : agentEnvironments(WorkerTransport.TLS)) {
            EnvVar ca = env.get("KUBECRAWL_OPERATOR_CA");
            assertThat(ca).isNotNull();
            assertThat(ca.getValue()).isNull();
            assertThat(ca.getValueFrom().getSecretKeyRef().getName()).isEqualTo(ChildNames.workerToken("crawl"));
            assertThat(ca.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("ca.crt");
            assertThat(env).doesNotContainKey("KUBECRAWL_OPERATOR_PLAINTEXT");
        }
    }

    @Test
    void withPlaintextWorkersAreToldSoExplicitlyAndGetNoCa() {
        for (Map<String, EnvVar> env : agentEnvironments(WorkerTransport.PLAINTEXT)) {
            assertThat(env.get("KUBECRAWL_OPERATOR_PLAINTEXT").getValue()).isEqualTo("true");
            assertThat(env).doesNotContainKey("KUBECRAWL_OPERATOR_CA");
        }
    }
}
