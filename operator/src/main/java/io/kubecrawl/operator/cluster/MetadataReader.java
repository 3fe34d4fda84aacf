package io.kubecrawl.operator.cluster;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;

/**
 * Reads only the metadata of a resource (the API server's PartialObjectMetadata), for a caller that needs its
 * resourceVersion to tell whether what it read of the resource before is still current: a ConfigMap of 300 KiB of
 * seeds costs the API server and the operator a few hundred bytes rather than its whole content. fabric8 7.3 has no
 * call for it ({@link ApiServerRequest}).
 */
public final class MetadataReader {

    /** An API server that does not know it answers with the whole object, whose metadata serves as well. */
    private static final String ACCEPT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,"
            + "application/json";

    private MetadataReader() {
    }

    /** The metadata of ConfigMap {@code namespace/name} as the API server has it now, or empty if there is none. */
    public static Optional<ObjectMeta> configMap(KubernetesClient client, String namespace, String name) {
        HttpRequest request = ApiServerRequest.to(client, "api", "v1", "namespaces", namespace, "configmaps", name)
                .setHeader("Accept", ACCEPT).build();
        return ApiServerRequest.send(client, request, "read the metadata of ConfigMap " + namespace + "/" + name)
                .map(response -> client.getKubernetesSerialization()
                        .unmarshal(response.body(), GenericKubernetesResource.class).getMetadata());
    }
}
