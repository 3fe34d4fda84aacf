package io.kubecrawl.operator.frontier.discovered;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.kubecrawl.protocol.v1.DiscoveredRequest;

/**
 * Which discovered requests a job accepts. Checked by the store inside each commit, because maxRequests can only be
 * exact where the accepted total is known: in the commit that accepts them.
 *
 * <p>The rules are Scrapy's, so that a spider moved onto Kubecrawl keeps the crawl it had: a depth limit as
 * DepthMiddleware applies it (0 is no limit), allowed domains as OffsiteMiddleware reads them (the domain itself and
 * its subdomains), URL patterns as a LinkExtractor's {@code allow} (a regular expression found anywhere in the URL;
 * any one is enough).
 *
 * @param maxDepth the deepest request accepted (a seed's own requests have depth 1); 0 for no limit
 * @param maxRequests the most requests the store accepts for the job in total, across every commit; 0 for no limit
 * @param allowedDomains hosts whose requests (and whose subdomains' requests) are accepted; empty for any host
 * @param urlPatterns regular expressions of which a request's URL must contain a match; empty for any URL
 */
public record CrawlScope(int maxDepth, long maxRequests, List<String> allowedDomains, List<Pattern> urlPatterns) {

    public static final CrawlScope UNLIMITED = new CrawlScope(0, 0, List.of(), List.of());

    public CrawlScope {
        if (maxDepth < 0) {
            throw new IllegalArgumentException("maxDepth must not be negative, was " + maxDepth);
        }
        if (maxRequests < 0) {
            throw new IllegalArgumentException("maxRequests must not be negative, was " + maxRequests);
        }
        // Hosts compare case-insensitively and a fully qualified "example.com." is the same domain.
        allowedDomains = allowedDomains == null ? List.of() : allowedDomains.stream()
                .map(domain -> stripDots(domain.toLowerCase(Locale.ROOT))).toList();
        if (allowedDomains.contains("")) {
            throw new IllegalArgumentException("an allowed domain is empty");
        }
        urlPatterns = urlPatterns == null ? List.of() : List.copyOf(urlPatterns);
    }

    /** A scope with its URL patterns given as regular expressions (the form a CrawlJob spec holds them in). */
    public static CrawlScope of(int maxDepth, long maxRequests, List<String> allowedDomains, List<String> urlPatterns) {
        return new CrawlScope(maxDepth, maxRequests, allowedDomains,
                urlPatterns == null ? List.of() : urlPatterns.stream().map(Pattern::compile).toList());
    }

    /** Whether the request passes depth, domain and pattern; maxRequests is the store's to apply. */
    public boolean admits(DiscoveredRequest request) {
        if (maxDepth > 0 && request.getDepth() > maxDepth) {
            return false;
        }
        if (!allowedDomains.isEmpty() && !onAllowedDomain(host(request.getUrl()))) {
            return false;
        }
        if (!urlPatterns.isEmpty()) {
            for (Pattern pattern : urlPatterns) {
                if (pattern.matcher(request.getUrl()).find()) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** How many more requests may be accepted when {@code accepted} were; unlimited is {@link Long#MAX_VALUE}. */
    long remaining(long accepted) {
        return maxRequests == 0 ? Long.MAX_VALUE : Math.max(0, maxRequests - accepted);
    }

    private boolean onAllowedDomain(String host) {
        if (host == null) {
            return false;
        }
        for (String domain : allowedDomains) {
            if (host.equals(domain)
                    || (host.endsWith(domain) && host.charAt(host.length() - domain.length() - 1) == '.')) {
                return true;
            }
        }
        return false;
    }

    /**
     * The host of an absolute URL, lower-cased, or null when it has none. Read with {@link URL} rather than
     * {@link java.net.URI}, which rejects characters browsers and Scrapy accept in URLs (spaces, '|', non-ASCII):
     * such a URL is still on a host.
     */
    static String host(String url) {
        String host;
        try {
            host = new URL(url).getHost();
        } catch (MalformedURLException e) {
            return null;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        host = stripDots(host.toLowerCase(Locale.ROOT));
        return host.isEmpty() ? null : host;
    }

    private static String stripDots(String domain) {
        int from = 0;
        int to = domain.length();
        while (from < to && domain.charAt(from) == '.') {
            from++;
        }
        while (to > from && domain.charAt(to - 1) == '.') {
            to--;
        }
        return domain.substring(from, to);
    }
}
