package io.kubecrawl.operator.frontier;

import java.time.Duration;
import java.util.List;

/** What a worker asking for work gets. */
public sealed interface LeaseOutcome {

    /** A batch to run. */
    record Granted(Lease lease, List<SeedRequest> requests) implements LeaseOutcome {
    }

    /** Nothing for this worker now, but work is not over: ask again after {@code retryAfter}. */
    record Wait(Duration retryAfter) implements LeaseOutcome {
    }

    /** Every batch is finished: the worker may exit. */
    record Drained() implements LeaseOutcome {
    }
}
