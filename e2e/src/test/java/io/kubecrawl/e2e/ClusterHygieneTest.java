package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static io.kubecrawl.e2e.ClusterUnderTest.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.Event;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run last: what the whole suite left behind that a platform team would see. The operator made every call under
 * the chart's RBAC, so a missing permission shows as {@code forbidden} in its log; and every Warning Event of the
 * cluster is one a test caused on purpose.
 */
@ExtendWith(ClusterUnderTest.class)
@Order(99)
class ClusterHygieneTest {

    /** The warnings the suite causes on purpose, each with the test that does. */
    private static final List<Predicate<Event>> EXPECTED_WARNINGS = List.of(
            // CrdOnServerTest creates CrawlJobs of a Spider that does not exist, to show the CEL rules.
            event -> "kubecrawl-crd".equals(event.getInvolvedObject().getNamespace()),
            // KillPointsOnClusterTest writes a status that breaks an invariant, to show the job failed alone.
            event -> "CompletingWithWorkLeft".equals(event.getReason())
                    && "inconsistent-broken".equals(event.getInvolvedObject().getName()),
            // CrawlOnClusterTest fails a CrawlJob whose seed is not a URL, for kstatus' Failed.
            event -> "InvalidSeeds".equals(event.getReason())
                    && CrawlOnClusterTest.FAILING.equals(event.getInvolvedObject().getName()),
            // The API server's own ClusterIP repair loop, which can run between a Service's IP allocation and its
            // record, and then repairs it: nothing Kubecrawl does, and the Service works throughout.
            event -> "ClusterIPNotAllocated".equals(event.getReason()));

    @Test
    void theOperatorWasNeverForbiddenAnything() {
        String logs = cluster().containerLogs(KubecrawlChart.NAMESPACE);

        assertThat(logs).as("the operator's log").isNotBlank();
        assertThat(logs.lines().filter(line -> line.toLowerCase().contains("forbidden")).toList())
                .as("lines of the operator's log that say forbidden").isEmpty();
    }

    @Test
    void noWarningEventNobodyExpected() {
        assertThat(warnings().unexpected(EXPECTED_WARNINGS)).as("Warning Events of the cluster").isEmpty();
    }
}
