package io.kubecrawl.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The durable progress of one frontier slot: enough, with the seeds and the frontier settings, to rebuild which of
 * its batches are still to do after an operator restart.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class SlotProgress {

    @JsonPropertyDescription("Index of the slot.")
    private Integer slot;

    @JsonPropertyDescription("Every batch numbered below the watermark is finished (completed or failed).")
    private Integer watermark;

    @JsonPropertyDescription("Batches at or above the watermark that are completed.")
    private List<Integer> completed;

    @JsonPropertyDescription("Batches that failed maxBatchAttempts times and were given up, at any position.")
    private List<Integer> failed;

    @JsonPropertyDescription("Failed attempts of batches, with the last error: of unfinished batches, and of the "
            + "batches given up.")
    private List<BatchAttempts> attempts;

    public SlotProgress() {
    }

    public SlotProgress(int slot, int watermark, List<Integer> completed, List<Integer> failed,
            List<BatchAttempts> attempts) {
        this.slot = slot;
        this.watermark = watermark;
        this.completed = completed;
        this.failed = failed;
        this.attempts = attempts;
    }

    public Integer getSlot() {
        return slot;
    }

    public void setSlot(Integer slot) {
        this.slot = slot;
    }

    public Integer getWatermark() {
        return watermark;
    }

    public void setWatermark(Integer watermark) {
        this.watermark = watermark;
    }

    public List<Integer> getCompleted() {
        return completed;
    }

    public void setCompleted(List<Integer> completed) {
        this.completed = completed;
    }

    public List<Integer> getFailed() {
        return failed;
    }

    public void setFailed(List<Integer> failed) {
        this.failed = failed;
    }

    public List<BatchAttempts> getAttempts() {
        return attempts;
    }

    public void setAttempts(List<BatchAttempts> attempts) {
        this.attempts = attempts;
    }
}
