package io.kubecrawl.operator.cluster;

import java.net.HttpURLConnection;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * The status subresource of a namespaced custom resource, written with a JSON patch through the client's own HTTP
 * client (its authentication, TLS and retries). fabric8's patch of a resource either reads it from the API server
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
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
                .uri(URLUtils.join(client.getMasterUrl().toString(), "apis", resource.getApiVersion(), "namespaces",
                        namespace, resource.getPlural(), name, "status"))
                .method("PATCH", JSON_PATCH, jsonPatch)
                .timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS)
                .build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class).join();
        } catch (CompletionException e) {
            throw new KubernetesClientException("cannot patch the status of " + resource.getKind() + " " + namespace
                    + "/" + name, e.getCause());
        }
        if (response.code() == HttpURLConnection.HTTP_NOT_FOUND) {
            return false;
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("patching the status of " + resource.getKind() + " " + namespace
                    + "/" + name + " failed with HTTP " + response.code() + ": " + response.body(), response.code(),
                    null);
        }
        return true;
    }
}
