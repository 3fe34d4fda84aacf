package io.kubecrawl.crd.v1alpha1;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.LabelSelector;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class CrawlJobStatus {

    @JsonPropertyDescription("The metadata.generation this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Pending, Running, Completing, Succeeded, Failed or Suspended.")
    private CrawlJobPhase phase;

    @JsonPropertyDescription("Ready, Progressing, Complete, Failed and Suspended, each True, False or Unknown with a reason.")
    private List<Condition> conditions;

    @JsonPropertyDescription("Worker pod counts, mirrored from the worker Job.")
    private WorkersStatus workers;

    @LabelSelector
    @JsonPropertyDescription("Label selector of the worker pods, for the scale subresource.")
    private String selector;

    @JsonPropertyDescription("Digest of the Spider bundle this job runs, pinned when the job started so that later "
            + "changes to the Spider do not reach a running job.")
    private String bundleDigest;

    @JsonPropertyDescription("Digest of the job's seed requests (sha256: of their lines), recorded when the frontier "
            + "was first built. A restarted operator that reads other seeds (a seedsFrom ConfigMap edited while the "
            + "job ran) fails the job rather than mixing the progress of one seed list with the requests of another.")
    private String seedsDigest;

    @JsonPropertyDescription("Durable frontier progress per slot, from which a restarted operator rebuilds the job's "
            + "remaining work. Only slots with progress are listed.")
    private List<SlotProgress> slots;

    @JsonPropertyDescription("Batch counts of the frontier.")
    private BatchCounters batches;

    @JsonPropertyDescription("Seed requests of the job.")
    private Long requests;

    @JsonPropertyDescription("Finished batches (completed or given up) out of all batches known so far, for example "
            + "12/40. With discovered requests the total grows as links are found: it counts the seed batches, the "
            + "batches of discovered requests cut, and those the queued requests will make.")
    private String progress;

    @JsonPropertyDescription("What the frontier did with the requests the spider discovered (spec.frontier.discovered "
            + "Frontier); absent while none arrived.")
    private DiscoveredRequestsStatus discovered;

    @JsonPropertyDescription("Items collected so far.")
    private Long items;

    @JsonPropertyDescription("When the worker Job was created (RFC 3339).")
    private String startTime;

    @JsonPropertyDescription("When the job succeeded or failed (RFC 3339).")
    private String completionTime;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public CrawlJobPhase getPhase() {
        return phase;
    }

    public void setPhase(CrawlJobPhase phase) {
        this.phase = phase;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public WorkersStatus getWorkers() {
        return workers;
    }

    public void setWorkers(WorkersStatus workers) {
        this.workers = workers;
    }

    public String getSelector() {
        return selector;
    }

    public void setSelector(String selector) {
        this.selector = selector;
    }

    public String getBundleDigest() {
        return bundleDigest;
    }

    public void setBundleDigest(String bundleDigest) {
        this.bundleDigest = bundleDigest;
    }

    public String getSeedsDigest() {
        return seedsDigest;
    }

    public void setSeedsDigest(String seedsDigest) {
        this.seedsDigest = seedsDigest;
    }

    public List<SlotProgress> getSlots() {
        return slots;
    }

    public void setSlots(List<SlotProgress> slots) {
        this.slots = slots;
    }

    public BatchCounters getBatches() {
        return batches;
    }

    public void setBatches(BatchCounters batches) {
        this.batches = batches;
    }

    public Long getRequests() {
        return requests;
    }

    public void setRequests(Long requests) {
        this.requests = requests;
    }

    public String getProgress() {
        return progress;
    }

    public void setProgress(String progress) {
        this.progress = progress;
    }

    public Long getItems() {
        return items;
    }

    public void setItems(Long items) {
        this.items = items;
    }

    public String getStartTime() {
        return startTime;
    }

    public void setStartTime(String startTime) {
        this.startTime = startTime;
    }

    public String getCompletionTime() {
        return completionTime;
    }

    public void setCompletionTime(String completionTime) {
        this.completionTime = completionTime;
    }

    public DiscoveredRequestsStatus getDiscovered() {
        return discovered;
    }

    public void setDiscovered(DiscoveredRequestsStatus discovered) {
        this.discovered = discovered;
    }

    @JsonIgnore
    public Optional<Condition> condition(String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
