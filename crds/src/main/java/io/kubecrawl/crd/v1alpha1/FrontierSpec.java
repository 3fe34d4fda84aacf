package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * How a job's requests are split into slots and batches and leased to workers. The defaults are declared once, here:
 * the CRD's schema takes them from the constants, and the operator reads a spec through the {@code effective...}
 * methods, for API servers (and tests) that did not apply the schema's defaults. (An enum's default is written out in
 * its annotation, which cannot name the constant: SpecDefaultsTest holds the two to each other.)
 */
public class FrontierSpec {

    public static final Partitioning DEFAULT_PARTITIONING = Partitioning.Host;
    public static final int DEFAULT_SLOTS = 16;
    public static final int DEFAULT_BATCH_SIZE = 50;
    public static final int DEFAULT_MAX_BATCHES_PER_WORKER = 2;
    public static final int DEFAULT_LEASE_SECONDS = 120;
    public static final Discovery DEFAULT_DISCOVERED = Discovery.Frontier;
    public static final int DEFAULT_MAX_LEASES_PER_SLOT = 1;
    public static final int DEFAULT_MIN_HOST_DELAY_MILLIS = 0;

    @Default("Host")
    @JsonPropertyDescription("How requests are assigned to slots: Host (a hash of the host, so one site's requests go "
            + "to one slot and one worker at a time), Url (a hash of the whole URL) or None (a single slot, so a "
            + "single worker at a time; slots is then ignored).")
    private Partitioning partitioning;

    @Min(1)
    @Max(4096)
    @Default("" + DEFAULT_SLOTS)
    @JsonPropertyDescription("Number of slots the requests are split into. A slot's batches stay on one worker while it "
            + "lives, so no more workers than non-empty slots are busy at once.")
    private Integer slots;

    @Min(1)
    @Max(100000)
    @Default("" + DEFAULT_BATCH_SIZE)
    @JsonPropertyDescription("Number of requests in one batch, the unit a worker leases, runs and completes.")
    private Integer batchSize;

    @Min(1)
    @Max(64)
    @Default("" + DEFAULT_MAX_BATCHES_PER_WORKER)
    @JsonPropertyDescription("Most batches one worker holds at once. A worker whose spider runs several batches at "
            + "once (the Scrapy helper runs 2) starts the next batch while the last pages of one are fetched; a spider "
            + "that runs one batch per process holds one whatever this says.")
    private Integer maxBatchesPerWorker;

    @Min(5)
    @Max(86400)
    @Default("" + DEFAULT_LEASE_SECONDS)
    @JsonPropertyDescription("Seconds a lease lasts without renewal; then its batch returns to the frontier.")
    private Integer leaseSeconds;

    @Default("Frontier")
    @JsonPropertyDescription("Where the requests the spider yields go: Frontier (to this job's frontier, deduplicated, "
            + "placed in slots by the partitioning and leased to any worker in later batches) or Local (they stay in "
            + "the spider's process and are part of its batch). In Frontier mode a request whose meta has "
            + "kubecrawl_local set stays in the process.")
    private Discovery discovered;

    @Min(1)
    @Max(64)
    @Default("" + DEFAULT_MAX_LEASES_PER_SLOT)
    @JsonPropertyDescription("Most batches of one slot leased at once. With Host partitioning a slot holds whole hosts, "
            + "so 1 (the default) means no two workers fetch from one host at a time.")
    private Integer maxLeasesPerSlot;

    @Min(0)
    @Max(600000)
    @Default("" + DEFAULT_MIN_HOST_DELAY_MILLIS)
    @JsonPropertyDescription("Least time in milliseconds between two requests of a worker to one host: the worker sets "
            + "the spider's DOWNLOAD_DELAY to it unless the spider's own is longer. robots.txt stays the spider's own "
            + "setting (ROBOTSTXT_OBEY).")
    private Integer minHostDelayMillis;

    public Partitioning effectivePartitioning() {
        return partitioning == null ? DEFAULT_PARTITIONING : partitioning;
    }

    public int effectiveSlots() {
        return slots == null ? DEFAULT_SLOTS : slots;
    }

    public int effectiveBatchSize() {
        return batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    }

    public int effectiveMaxBatchesPerWorker() {
        return maxBatchesPerWorker == null ? DEFAULT_MAX_BATCHES_PER_WORKER : maxBatchesPerWorker;
    }

    public int effectiveLeaseSeconds() {
        return leaseSeconds == null ? DEFAULT_LEASE_SECONDS : leaseSeconds;
    }

    public Discovery effectiveDiscovered() {
        return discovered == null ? DEFAULT_DISCOVERED : discovered;
    }

    public int effectiveMaxLeasesPerSlot() {
        return maxLeasesPerSlot == null ? DEFAULT_MAX_LEASES_PER_SLOT : maxLeasesPerSlot;
    }

    public int effectiveMinHostDelayMillis() {
        return minHostDelayMillis == null ? DEFAULT_MIN_HOST_DELAY_MILLIS : minHostDelayMillis;
    }

    public Discovery getDiscovered() {
        return discovered;
    }

    public void setDiscovered(Discovery discovered) {
        this.discovered = discovered;
    }

    public Integer getMaxLeasesPerSlot() {
        return maxLeasesPerSlot;
    }

    public void setMaxLeasesPerSlot(Integer maxLeasesPerSlot) {
        this.maxLeasesPerSlot = maxLeasesPerSlot;
    }

    public Integer getMinHostDelayMillis() {
        return minHostDelayMillis;
    }

    public void setMinHostDelayMillis(Integer minHostDelayMillis) {
        this.minHostDelayMillis = minHostDelayMillis;
    }

    public Partitioning getPartitioning() {
        return partitioning;
    }

    public void setPartitioning(Partitioning partitioning) {
        this.partitioning = partitioning;
    }

    public Integer getSlots() {
        return slots;
    }

    public void setSlots(Integer slots) {
        this.slots = slots;
    }

    public Integer getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
    }

    public Integer getMaxBatchesPerWorker() {
        return maxBatchesPerWorker;
    }

    public void setMaxBatchesPerWorker(Integer maxBatchesPerWorker) {
        this.maxBatchesPerWorker = maxBatchesPerWorker;
    }

    public Integer getLeaseSeconds() {
        return leaseSeconds;
    }

    public void setLeaseSeconds(Integer leaseSeconds) {
        this.leaseSeconds = leaseSeconds;
    }
}
