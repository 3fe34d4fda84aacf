package io.kubecrawl.operator.cluster;


import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;

/**
 * The status subresource of a namespaced custom resource, written with a JSON patch through the client's own HTTP
 * client ({@link ApiServerRequest}). fabric8's patch of a resource either reads it from the API server
 * first (named by name) or copies it through JSON (given the object), and decodes the whole resource the API server
 * answers with; a status writer needs none of that, and after an operator's restart it writes the status of every
 * job at once.
 */
public final class StatusSubresource {

    private static final String JSON_PATCH = "application/json-patch+json";

    private StatusSubresource() {
    }

    /**
     * Applies {@code jsonPatch} to the status of {@code resource}.
     *
     * @return false when the resource does not exist (any more)
     * @throws KubernetesClientException when the API server refuses the patch or cannot be reached
     */
    public static boolean jsonPatch(KubernetesClient client, CustomResource<?, ?> resource, String jsonPatch) {
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        HttpRequest request = ApiServerRequest.to(client, "apis", resource.getApiVersion(), "namespaces", namespace,
                resource.getPlural(), name, "status").method("PATCH", JSON_PATCH, jsonPatch).build();
        return ApiServerRequest.send(client, request, "patch the status of " + resource.getKind() + " " + namespace
                + "/" + name).isPresent();
    }
}
