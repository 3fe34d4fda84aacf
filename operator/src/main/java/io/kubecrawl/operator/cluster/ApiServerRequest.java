package io.kubecrawl.operator.cluster;

import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * A request fabric8's DSL cannot make, sent through the client's own HTTP client (its authentication, TLS and
 * retries) and answered as the DSL answers: a missing resource is empty, any other failure a
 * {@link KubernetesClientException}.
 */
final class ApiServerRequest {

    private ApiServerRequest() {
    }

    /** A request builder for the path under the API server's URL, with the client's request timeout. */
    static HttpRequest.Builder to(KubernetesClient client, String... path) {
        return client.getHttpClient().newHttpRequestBuilder()
                .uri(URLUtils.join(client.getMasterUrl().toString(), URLUtils.join(path)))
                .timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS);
    }

    /**
     * Sends the request; {@code what} names it in errors ("patch the status of CrawlJob ns/name").
     *
     * @return the answer, or empty when the API server answers 404 Not Found
     */
    static Optional<HttpResponse<String>> send(KubernetesClient client, HttpRequest request, String what) {
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class).join();
        } catch (CompletionException e) {
            throw new KubernetesClientException("cannot " + what, e.getCause());
        }
        if (response.code() == HttpURLConnection.HTTP_NOT_FOUND) {
            return Optional.empty();
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("the API server refused to " + what + ": HTTP " + response.code()
                    + ": " + response.body(), response.code(), null);
        }
        return Optional.of(response);
    }
}
