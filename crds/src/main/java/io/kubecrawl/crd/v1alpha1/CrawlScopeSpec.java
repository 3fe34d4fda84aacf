package io.kubecrawl.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/**
 * Which discovered requests a job's frontier accepts. The rules are Scrapy's, so that a spider moved onto Kubecrawl
 * keeps the crawl it had; the operator applies them when a batch's discovered requests are committed, which is where
 * {@code maxRequests} can be exact across workers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CrawlScopeSpec {

    @Min(0)
    @JsonPropertyDescription("Deepest request accepted, counted in links followed from a seed (a seed's own links have "
            + "depth 1), as Scrapy's DEPTH_LIMIT. Unset or 0: no limit.")
    private Integer maxDepth;

    @Min(0)
    @JsonPropertyDescription("Most discovered requests the frontier accepts in total, duplicates and out-of-scope "
            + "requests not counted; the seeds are not counted either. Unset or 0: no limit.")
    private Long maxRequests;

    @JsonPropertyDescription("Hosts whose requests are accepted, each with its subdomains, as a spider's "
            + "allowed_domains. Unset or empty: any host.")
    private List<String> allowedDomains;

    @JsonPropertyDescription("Regular expressions (Java syntax) of which a discovered request's URL must contain a "
            + "match, as a LinkExtractor's allow; any one is enough. Unset or empty: any URL.")
    private List<String> urlPatterns;

    public int effectiveMaxDepth() {
        return maxDepth == null ? 0 : maxDepth;
    }

    public long effectiveMaxRequests() {
        return maxRequests == null ? 0 : maxRequests;
    }

    public List<String> effectiveAllowedDomains() {
        return allowedDomains == null ? List.of() : allowedDomains;
    }

    public List<String> effectiveUrlPatterns() {
        return urlPatterns == null ? List.of() : urlPatterns;
    }

    public Integer getMaxDepth() {
        return maxDepth;
    }

    public void setMaxDepth(Integer maxDepth) {
        this.maxDepth = maxDepth;
    }

    public Long getMaxRequests() {
        return maxRequests;
    }

    public void setMaxRequests(Long maxRequests) {
        this.maxRequests = maxRequests;
    }

    public List<String> getAllowedDomains() {
        return allowedDomains;
    }

    public void setAllowedDomains(List<String> allowedDomains) {
        this.allowedDomains = allowedDomains;
    }

    public List<String> getUrlPatterns() {
        return urlPatterns;
    }

    public void setUrlPatterns(List<String> urlPatterns) {
        this.urlPatterns = urlPatterns;
    }
}
