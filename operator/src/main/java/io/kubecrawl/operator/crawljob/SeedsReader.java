package io.kubecrawl.operator.crawljob;

import java.util.List;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.operator.frontier.SeedList;
import io.kubecrawl.operator.frontier.SeedRequest;

/** Reads a job's seed requests from where its spec says: inline, or a ConfigMap key. */
final class SeedsReader {

    /** The seeds' source does not exist (yet); the user can create it. */
    static final class SeedsNotFoundException extends RuntimeException {
        SeedsNotFoundException(String message) {
            super(message);
        }
    }

    private SeedsReader() {
    }

    static List<SeedRequest> read(CrawlJob crawlJob, KubernetesClient client) {
        if (crawlJob.getSpec().getSeeds() != null) {
            return SeedList.parse(crawlJob.getSpec().getSeeds());
        }
        ConfigMapKeyReference ref = crawlJob.getSpec().getSeedsFrom().getConfigMapKeyRef();
        String namespace = crawlJob.getMetadata().getNamespace();
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
        if (configMap == null) {
            throw new SeedsNotFoundException("ConfigMap " + ref.getName() + " named in spec.seedsFrom does not exist "
                    + "in namespace " + namespace);
        }
        String seeds = configMap.getData() == null ? null : configMap.getData().get(ref.getKey());
        if (seeds == null) {
            throw new SeedsNotFoundException("ConfigMap " + ref.getName() + " has no key " + ref.getKey()
                    + " named in spec.seedsFrom");
        }
        return SeedList.parse(seeds.lines().toList());
    }
}
