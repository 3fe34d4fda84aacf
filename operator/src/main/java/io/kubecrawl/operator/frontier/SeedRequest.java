package io.kubecrawl.operator.frontier;

/**
 * One request of a job's seed list.
 *
 * @param url the URL, which decides the request's slot
 * @param line the request as the user wrote it (a URL, or a JSON object with at least {@code url}), handed to the
 *     spider unchanged
 */
public record SeedRequest(String url, String line) {
}
