package io.kubecrawl.worker.run;

import io.kubecrawl.protocol.v1.BatchRef;

/** How the agent writes a batch for people and for the spider: {@code <slot>/<number>}, as in KUBECRAWL_BATCH. */
final class BatchNames {
    private BatchNames() {
    }

    static String name(BatchRef batch) {
        return batch.getSlot() + "/" + batch.getNumber();
    }
}
