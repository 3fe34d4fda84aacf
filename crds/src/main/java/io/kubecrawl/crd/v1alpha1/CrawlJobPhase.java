package io.kubecrawl.crd.v1alpha1;

/** Where a CrawlJob is in its life. Succeeded and Failed are final. */
public enum CrawlJobPhase {
    Pending,
    Running,
    Completing,
    Succeeded,
    Failed,
    Suspended;

    public boolean isFinished() {
        return this == Succeeded || this == Failed;
    }
}
