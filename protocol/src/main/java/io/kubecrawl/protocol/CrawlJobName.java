package io.kubecrawl.protocol;

import java.util.regex.Pattern;

/**
 * A CrawlJob named the way the {@code kubecrawl-job} metadata entry carries it: {@code <namespace>/<name>}.
 *
 * @param namespace the CrawlJob's namespace
 * @param name the CrawlJob's name
 */
public record CrawlJobName(String namespace, String name) {

    /** Kubernetes object names: DNS subdomains of lower-case letters, digits, '-' and '.', at most 253 long. */
    private static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    /** @throws IllegalArgumentException when either part is not a Kubernetes object name */
    public CrawlJobName {
        if (!isObjectName(namespace)) {
            throw new IllegalArgumentException("not a namespace: " + namespace);
        }
        if (!isObjectName(name)) {
            throw new IllegalArgumentException("not a CrawlJob name: " + name);
        }
    }

    /** Whether {@code text} is a Kubernetes object name (DNS subdomain); null is not. */
    public static boolean isObjectName(String text) {
        return text != null && OBJECT_NAME.matcher(text).matches();
    }

    /** @throws IllegalArgumentException when {@code text} is not {@code <namespace>/<name>} */
    public static CrawlJobName parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected <namespace>/<name>, got " + text);
        }
        return new CrawlJobName(text.substring(0, slash), text.substring(slash + 1));
    }

    /** {@code <namespace>/<name>}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
