package io.kubecrawl.operator.cluster;

import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Every resource of a kind in every namespace, read from the API server a page at a time, so that memory does not
 * grow with the cluster: for the garbage collectors, which read what exists on each run rather than remember it.
 */
public final class ResourcePages {

    /**
     * Resources per list request, here and in the informers' initial lists: one response of every CrawlJob (or
     * worker Job, Secret, ConfigMap) of a large cluster is decoded whole before the informer sees any of it, a spike
     * of heap at the very start, when recovery needs it most; pages of this size keep it small for few more requests.
     */
    public static final long PAGE_SIZE = 500;

    private ResourcePages() {
    }

    public static <R extends CustomResource<?, ?>> void forEach(KubernetesClient client, Class<R> type,
            Consumer<R> action) {
        String next = null;
        do {
            KubernetesResourceList<R> page = client.resources(type).inAnyNamespace()
                    .list(new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(next).build());
            page.getItems().forEach(action);
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
    }
}
