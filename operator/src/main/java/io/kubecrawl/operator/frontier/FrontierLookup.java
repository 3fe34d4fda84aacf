package io.kubecrawl.operator.frontier;

import java.util.Optional;

import io.kubecrawl.protocol.CrawlJobName;

/**
 * The frontiers of running jobs, read only: what a reconcile's observe step may see of the {@link FrontierRegistry}
 * (registering or dropping a frontier is a step of the plan, done after deciding).
 */
public interface FrontierLookup {

    /** The frontier of the CrawlJob named {@code job} with {@code uid}; empty after a restart or for a reused name. */
    Optional<Frontier> find(CrawlJobName job, String uid);
}
