package io.kubecrawl.operator.cluster;

import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * Reads only the metadata of a resource (the API server's PartialObjectMetadata), for a caller that needs its
 * resourceVersion to tell whether what it read of the resource before is still current: a ConfigMap of 300 KiB of
 * seeds costs the API server and the operator a few hundred bytes rather than its whole content. fabric8 7.3 has no
 * call for it, so the request goes through the client's own HTTP client (its authentication, TLS and retries).
 */
public final class MetadataReader {

    /** An API server that does not know it answers with the whole object, whose metadata serves as well. */
    private static final String ACCEPT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,"
            + "application/json";

    private MetadataReader() {
    }

    /** The metadata of ConfigMap {@code namespace/name} as the API server has it now, or empty if there is none. */
    public static Optional<ObjectMeta> configMap(KubernetesClient client, String namespace, String name) {
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
                .uri(URLUtils.join(client.getMasterUrl().toString(), "api", "v1", "namespaces", namespace,
                        "configmaps", name))
                .setHeader("Accept", ACCEPT)
                .timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS)
                .build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class).join();
        } catch (CompletionException e) {
            throw new KubernetesClientException("cannot read the metadata of ConfigMap " + namespace + "/" + name,
                    e.getCause());
        }
        if (response.code() == HttpURLConnection.HTTP_NOT_FOUND) {
            return Optional.empty();
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("reading the metadata of ConfigMap " + namespace + "/" + name
                    + " failed with HTTP " + response.code() + ": " + response.body(), response.code(), null);
        }
        return Optional.ofNullable(client.getKubernetesSerialization()
                .unmarshal(response.body(), GenericKubernetesResource.class).getMetadata());
    }
}
