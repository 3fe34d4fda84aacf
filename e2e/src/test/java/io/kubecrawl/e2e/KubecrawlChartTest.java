package io.kubecrawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubecrawl.e2e.cluster.LocalImages;
import org.junit.jupiter.api.Test;

/**
 * Runs without Docker: the chart accepts the values the k3s suite installs it with (its schema rejects unknown keys)
 * and puts the suite's images where the suite expects them. A renamed value fails here, not only on a machine that
 * runs the cluster suite.
 */
class KubecrawlChartTest {

    @Test
    void theChartRendersWithTheSuitesImages() {
        String manifests = KubecrawlChart.render(LocalImages.OPERATOR, LocalImages.WORKER);

        assertThat(manifests)
                .contains("image: \"" + LocalImages.OPERATOR + "\"")
                .contains("imagePullPolicy: Never")
                .containsPattern("name: KUBECRAWL_WORKER_IMAGE\\s+value: \"" + LocalImages.WORKER + "\"");
    }
}
