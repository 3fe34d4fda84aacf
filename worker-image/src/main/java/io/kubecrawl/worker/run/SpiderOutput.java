package io.kubecrawl.worker.run;

import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.LogLine;

/** Where the lines a spider prints go: the container log and the operator (see {@link BatchLoop}). */
@FunctionalInterface
interface SpiderOutput {
    void line(LogLine.Source source, BatchRef batch, String text);
}
