package io.kubecrawl.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

@ValidationRule(value = "has(self.seeds) != has(self.seedsFrom)",
        message = "exactly one of seeds and seedsFrom must be set", reason = "FieldValueInvalid")
@ValidationRule(value = "has(self.seeds) == has(oldSelf.seeds)",
        message = "seeds and seedsFrom cannot be swapped once the job exists: the frontier is derived from them")
public class CrawlJobSpec {

    public static final int DEFAULT_WORKERS = 1;

    @Required
    @ValidationRule(value = "self == oldSelf", message = "spiderRef cannot be changed once the job exists")
    @JsonPropertyDescription("The Spider to run, in the CrawlJob's namespace.")
    private SpiderReference spiderRef;

    @SpecReplicas
    @Min(0)
    @Default("" + DEFAULT_WORKERS)
    @JsonPropertyDescription("Number of worker pods running at once. kubectl scale changes it while the job runs.")
    private Integer workers;

    @Size(min = 1)
    @ValidationRule(value = "self == oldSelf",
            message = "seeds cannot be changed once the job exists: the frontier is derived from them")
    @JsonPropertyDescription("Seed URLs, one request each.")
    private List<String> seeds;

    @ValidationRule(value = "self == oldSelf",
            message = "seedsFrom cannot be changed once the job exists: the frontier is derived from it")
    @JsonPropertyDescription("Read the seeds from a ConfigMap key or a file in the Spider's bundle, one URL or one JSON "
            + "request per line.")
    private SeedsSource seedsFrom;

    @Default("{}")
    @ValidationRule(value = "self == oldSelf",
            message = "frontier cannot be changed once the job exists: completed batches are recorded by its layout")
    @JsonPropertyDescription("How the seeds are split into slots and batches and leased to workers.")
    private FrontierSpec frontier;

    @ValidationRule(value = "self == oldSelf", message = "scope cannot be changed once the job exists")
    @JsonPropertyDescription("Which discovered requests the frontier accepts: depth, domains, URL patterns and a "
            + "total. Unset: all of them.")
    private CrawlScopeSpec scope;

    @Default("{}")
    @JsonPropertyDescription("Retry and time limits of the job.")
    private JobLimits limits;

    @Default("false")
    @JsonPropertyDescription("Pause the job: the worker pods are stopped and the job keeps its progress until resumed.")
    private Boolean suspend;

    public SpiderReference getSpiderRef() {
        return spiderRef;
    }

    public void setSpiderRef(SpiderReference spiderRef) {
        this.spiderRef = spiderRef;
    }

    /** {@link #getWorkers()}, or its default where the API server did not apply the schema's. */
    public int effectiveWorkers() {
        return workers == null ? DEFAULT_WORKERS : workers;
    }

    public Integer getWorkers() {
        return workers;
    }

    public void setWorkers(Integer workers) {
        this.workers = workers;
    }

    public List<String> getSeeds() {
        return seeds;
    }

    public void setSeeds(List<String> seeds) {
        this.seeds = seeds;
    }

    public SeedsSource getSeedsFrom() {
        return seedsFrom;
    }

    public void setSeedsFrom(SeedsSource seedsFrom) {
        this.seedsFrom = seedsFrom;
    }

    public FrontierSpec getFrontier() {
        return frontier;
    }

    public void setFrontier(FrontierSpec frontier) {
        this.frontier = frontier;
    }

    public CrawlScopeSpec getScope() {
        return scope;
    }

    public void setScope(CrawlScopeSpec scope) {
        this.scope = scope;
    }

    public JobLimits getLimits() {
        return limits;
    }

    public void setLimits(JobLimits limits) {
        this.limits = limits;
    }

    public Boolean getSuspend() {
        return suspend;
    }

    public void setSuspend(Boolean suspend) {
        this.suspend = suspend;
    }
}
