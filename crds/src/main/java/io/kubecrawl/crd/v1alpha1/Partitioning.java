package io.kubecrawl.crd.v1alpha1;

/** How seed requests are assigned to frontier slots. */
public enum Partitioning {
    /** By a hash of the URL's host: one site's requests stay in one slot, and so on one worker at a time. */
    Host,
    /** By a hash of the whole URL: the most even spread, with no politeness per site. */
    Url,
    /** Everything in one slot. */
    None
}
