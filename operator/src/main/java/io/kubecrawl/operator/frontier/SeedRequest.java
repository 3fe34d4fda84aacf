package io.kubecrawl.operator.frontier;

/**
 * One request of a job's seed list.
 *
 * @param url the URL, which decides the request's slot
 * @param line the request as the user wrote it (a URL, or a JSON object with at least {@code url}), handed to the
 *     spider unchanged
 * @param host the URL's host as {@link SeedList} found it when it checked the URL, or null when nobody parsed the
 *     URL yet: a job's seeds are parsed once, not once more to find each one's slot
 */
public record SeedRequest(String url, String line, String host) {

    public SeedRequest(String url, String line) {
        this(url, line, null);
    }

    /** Equal by url and line: the host is derived from the url, known or not. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SeedRequest that && url.equals(that.url) && line.equals(that.line);
    }

    @Override
    public int hashCode() {
        return 31 * url.hashCode() + line.hashCode();
    }
}
