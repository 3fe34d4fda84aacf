package io.kubecrawl.operator.crawljob;

/** The two fields of a running worker Job the operator changes in place: how many workers, and whether paused. */
public record WorkerJobChange(int parallelism, boolean suspend) {
}
