package io.kubecrawl.operator.outputs;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import io.kubecrawl.protocol.CrawlJobName;

/** A store of files per CrawlJob (items, logs), as its garbage collection sees it. */
public interface JobOutputStore {

    /** What the store holds, in a word ("items", "logs"): how a collection names what it deleted. */
    String kind();

    /** Where the store keeps each job's files. */
    JobDirectories directories();

    /** The jobs this store holds outputs of, the finished and the deleted ones included. */
    default Set<CrawlJobName> jobs() {
        return directories().jobs();
    }

    /** When the job's outputs last changed; empty when it has none. */
    default Optional<Instant> lastWrite(CrawlJobName job) {
        return directories().lastWrite(job);
    }

    /** Removes every output of the job. */
    void deleteAll(CrawlJobName job) throws IOException;
}
