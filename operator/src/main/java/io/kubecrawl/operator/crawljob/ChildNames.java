package io.kubecrawl.operator.crawljob;

import java.nio.charset.StandardCharsets;

import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Names of a CrawlJob's children. A Job's name becomes a label value of its pods, so it must fit in 63 characters;
 * a longer CrawlJob name is cut and given a hash of the whole name, so that two long names never collide.
 */
public final class ChildNames {

    private static final int MAX = 63;

    private ChildNames() {
    }

    public static String workerJob(String crawlJobName) {
        return withSuffix(crawlJobName, "-workers");
    }

    public static String workerToken(String crawlJobName) {
        return withSuffix(crawlJobName, "-worker-token");
    }

    static String withSuffix(String name, String suffix) {
        if (name.length() + suffix.length() <= MAX) {
            return name + suffix;
        }
        String hash = Sha256.hex(name.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
        String head = name.substring(0, MAX - suffix.length() - hash.length() - 1);
        while (head.endsWith("-") || head.endsWith(".")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + "-" + hash + suffix;
    }
}
