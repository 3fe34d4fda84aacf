package io.kubecrawl.operator.frontier;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a seed list: one request per line, either a URL or a JSON object with a {@code url} field. Blank lines and
 * lines starting with {@code #} are skipped. An invalid line fails the whole list, naming its line number, since a
 * job silently missing seeds is worse than one that does not start.
 */
public final class SeedList {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SeedList() {
    }

    public static List<SeedRequest> parse(List<String> lines) {
        List<SeedRequest> requests = new ArrayList<>(lines.size());
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            requests.add(line.startsWith("{") ? fromJson(line, number)
                    : new SeedRequest(line, line, checkedHost(line, number)));
        }
        return requests;
    }

    /** The request of one line that {@link #parse} accepted before: a frontier layout keeps the lines only. */
    static SeedRequest request(String line) {
        return line.startsWith("{") ? fromJson(line, 0) : new SeedRequest(line, line);
    }

    private static SeedRequest fromJson(String line, int number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidSeedException(number, "not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode url = node.get("url");
        if (url == null || !url.isTextual()) {
            throw new InvalidSeedException(number, "a JSON request needs a string field \"url\"");
        }
        return new SeedRequest(url.asText(), line, checkedHost(url.asText(), number));
    }

    /** The host of {@code url}, once it is shown to be an http or https URL with a host. */
    private static String checkedHost(String url, int number) {
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new InvalidSeedException(number, "'" + url + "' is not an http or https URL");
            }
            if (uri.getHost() == null) {
                throw new InvalidSeedException(number, "'" + url + "' has no host");
            }
            return uri.getHost();
        } catch (URISyntaxException e) {
            throw new InvalidSeedException(number, "'" + url + "' is not a valid URL: " + e.getReason());
        }
    }
}
