package io.kubecrawl.operator.frontier.discovered;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.ToIntFunction;

import com.google.protobuf.ByteString;
import io.kubecrawl.protocol.v1.DiscoveredRequest;

/** Discovered requests as a worker would send them, with Scrapy's kind of fingerprint (SHA-1 of the URL here). */
final class TestRequests {

    /** Every request in slot 0. */
    static final ToIntFunction<DiscoveredRequest> ONE_SLOT = request -> 0;

    private TestRequests() {
    }

    static DiscoveredRequest request(String url) {
        return request(url, 0, 1);
    }

    static DiscoveredRequest request(String url, int priority, int depth) {
        return DiscoveredRequest.newBuilder()
                .setUrl(url)
                .setFingerprint(fingerprint(url))
                .setPriority(priority)
                .setDepth(depth)
                .setReferrer("https://seed.test/")
                .setRequest("{\"url\": \"" + url + "\", \"callback\": \"parse\"}")
                .build();
    }

    static DiscoveredRequest dontFilter(String url) {
        return request(url).toBuilder().setDontFilter(true).build();
    }

    static ByteString fingerprint(String url) {
        try {
            return ByteString.copyFrom(MessageDigest.getInstance("SHA-1").digest(url.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The slot of a request by its host's hash, as a job partitioned by host would place it. */
    static ToIntFunction<DiscoveredRequest> byHost(int slots) {
        return request -> Math.floorMod(CrawlScope.host(request.getUrl()).hashCode(), slots);
    }
}
