package io.kubecrawl.operator.crawljob;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.protocol.WorkerEnvironment;

/**
 * The Secret holding a job's worker token, which opens that job's bundle, frontier, items and logs and no others, and
 * the CA its workers verify the operator's gRPC certificate against (absent when gRPC is plaintext). Both are read by
 * the pods as environment variables, so the Secret is the one place a worker's trust comes from.
 */
public final class WorkerTokenSecretFactory {

    private WorkerTokenSecretFactory() {
    }

    /** @param operatorCa the CA (PEM) of the operator's gRPC certificate, or null when gRPC is plaintext */
    public static Secret build(CrawlJob crawlJob, String token, String operatorCa) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(WorkerEnvironment.TOKEN_KEY, base64(token));
        if (operatorCa != null) {
            data.put(WorkerEnvironment.CA_KEY, base64(operatorCa));
        }
        return new SecretBuilder()
                .withNewMetadata()
                .withName(ChildNames.workerToken(crawlJob.getMetadata().getName()))
                .withNamespace(crawlJob.getMetadata().getNamespace())
                .withLabels(WorkerLabels.of(crawlJob, "worker-token"))
                .withAnnotations(Map.of(WorkerLabels.GENERATION_ANNOTATION,
                        String.valueOf(crawlJob.getMetadata().getGeneration())))
                .withOwnerReferences(CrawlJobOwner.reference(crawlJob))
                .endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .withData(data)
                .build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
