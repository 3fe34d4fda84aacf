package io.kubecrawl.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** The operator's HTTP API as a user calls it: items, logs and bundle uploads, with or without a bearer token. */
public final class OperatorApi {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;

    public OperatorApi(URI base) {
        this.base = base;
    }

    public HttpResponse<String> items(String namespace, String crawlJob, String token) throws IOException,
            InterruptedException {
        return get("api/v1/namespaces/" + namespace + "/crawljobs/" + crawlJob + "/items", token);
    }

    /** The names of the workers that have a log, or with {@code worker} that worker's log. */
    public HttpResponse<String> logs(String namespace, String crawlJob, String worker, String token)
            throws IOException, InterruptedException {
        return get("api/v1/namespaces/" + namespace + "/crawljobs/" + crawlJob + "/logs"
                + (worker == null ? "" : "?worker=" + worker), token);
    }

    /** {@code PUT .../spiders/NAME/bundle} of an archive file; no Authorization header when {@code token} is null. */
    public HttpResponse<String> upload(String namespace, String spider, Path archive, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/v1/namespaces/" + namespace
                + "/spiders/" + spider + "/bundle")).PUT(HttpRequest.BodyPublishers.ofFile(archive))
                .timeout(Duration.ofMinutes(2));
        return HTTP.send(authorized(request, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(1));
        return HTTP.send(authorized(request, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String token) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }
}
