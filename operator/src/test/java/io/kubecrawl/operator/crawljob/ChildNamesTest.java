package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChildNamesTest {

    @Test
    void shortNamesGetTheirSuffix() {
        assertThat(ChildNames.workerJob("quotes")).isEqualTo("quotes-workers");
        assertThat(ChildNames.workerToken("quotes")).isEqualTo("quotes-worker-token");
    }

    @Test
    void longNamesAreCutToALabelValueAndStayDistinct() {
        String a = "a".repeat(100) + "-first";
        String b = "a".repeat(100) + "-second";

        assertThat(ChildNames.workerJob(a)).hasSizeLessThanOrEqualTo(63).endsWith("-workers");
        assertThat(ChildNames.workerJob(a)).isNotEqualTo(ChildNames.workerJob(b));
        assertThat(ChildNames.workerJob(a)).isEqualTo(ChildNames.workerJob(a));
        assertThat(ChildNames.workerToken(a)).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }
}
