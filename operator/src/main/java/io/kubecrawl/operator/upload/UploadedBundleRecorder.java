package io.kubecrawl.operator.upload;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;

/**
 * Points a Spider at a bundle the upload API has completely stored, by its {@link UploadedBundleAnnotation}: the
 * durable record of the upload, and the change that makes the Spider reconcile to it.
 *
 * <p>A JSON merge patch of that one annotation: the API server applies it atomically to the Spider as it is then,
 * creating the annotation map if there is none and keeping everybody else's annotations, so it needs neither a read
 * before it nor a retry. (A JSON patch would need two forms, "add the key" and, when the map is missing, "add the
 * map", the second guarded by a resourceVersion test and retried; and the mock API server of the tests hangs on a
 * failed test operation. The merge patch has no array or null, the two things the mock server imitates wrongly.)
 * Between two uploads of one Spider the later patch wins, and either way the Spider names one complete bundle.
 */
@ApplicationScoped
public class UploadedBundleRecorder {

    private final KubernetesClient client;

    public UploadedBundleRecorder(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses the patch (404:
     *     the Spider was deleted meanwhile)
     */
    public void record(String namespace, String name, String digest) {
        String patch = client.getKubernetesSerialization().asJson(Map.of("metadata",
                Map.of("annotations", Map.of(UploadedBundleAnnotation.NAME, digest))));
        client.resources(Spider.class).inNamespace(namespace).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
}
