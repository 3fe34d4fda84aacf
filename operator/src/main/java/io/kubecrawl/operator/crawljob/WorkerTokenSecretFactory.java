package io.kubecrawl.operator.crawljob;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.protocol.WorkerEnvironment;

/** The Secret holding a job's worker token, which opens that job's bundle, frontier, items and logs and no others. */
public final class WorkerTokenSecretFactory {

    private WorkerTokenSecretFactory() {
    }

    public static Secret build(CrawlJob crawlJob, String token) {
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
                .withData(Map.of(WorkerEnvironment.TOKEN_KEY,
                        Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
                .build();
    }
}
