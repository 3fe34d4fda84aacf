package io.kubecrawl.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

/** {@code helm lint --strict} on the chart: warnings count as failures. */
class ChartLintTest {

    @Test
    void strictLintPasses() {
        LintResult result = new Helm(RenderedChart.chartDir()).lint().strict().call();

        assertThat(result.getMessages())
                .as("lint messages")
                .noneMatch(m -> m.contains("[ERROR]"))
                .noneMatch(m -> m.contains("[WARNING]"));
        assertThat(result.isFailed()).as("lint failed; messages: %s", result.getMessages()).isFalse();
    }
}
