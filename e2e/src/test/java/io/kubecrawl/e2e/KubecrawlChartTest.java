package io.kubecrawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecrawl.e2e.cluster.LocalImages;
import org.junit.jupiter.api.Test;

/**
 * Runs without Docker: the chart accepts the values the k3s suite installs it with (its schema rejects unknown keys)
 * and puts the suite's images where the suite expects them. A renamed value fails here, not only on a machine that
 * runs the cluster suite.
 */
class KubecrawlChartTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theChartRendersWithTheSuitesImages() {
        String manifests = KubecrawlChart.render(LocalImages.OPERATOR, LocalImages.WORKER);

        assertThat(manifests)
                .contains("image: \"" + LocalImages.OPERATOR + "\"")
                .contains("imagePullPolicy: Never")
                .containsPattern("name: KUBECRAWL_WORKER_IMAGE\\s+value: \"" + LocalImages.WORKER + "\"");
        assertThat(manifests).as("off by default").doesNotContain("kind: ServiceMonitor", "grafana_dashboard");
        assertThat(manifests).as("gRPC over TLS, the operator its own issuer, by default")
                .containsPattern("name: KUBECRAWL_GRPC_PLAINTEXT\\s+value: \"false\"")
                .containsPattern("name: KUBECRAWL_GRPC_TLS_GENERATE\\s+value: \"true\"")
                .contains("kind: Role\n", "resourceNames: [\"kubecrawl-grpc-tls\"]")
                .doesNotContain("cert-manager.io");
    }

    @Test
    void theServiceMonitorScrapesTheHttpPortAndTheDashboardConfigMapHoldsTheShippedDashboard() throws Exception {
        String manifests = KubecrawlChart.render(LocalImages.OPERATOR, LocalImages.WORKER, Map.of(
                "metrics.serviceMonitor.enabled", "true", "metrics.serviceMonitor.labels.release", "prometheus",
                "metrics.dashboard.enabled", "true"));

        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new org.yaml.snakeyaml.Yaml().loadAll(manifests)) {
            if (document != null) {
                documents.add(cast(document));
            }
        }
        Map<String, Object> monitor = documents.stream().filter(d -> "ServiceMonitor".equals(d.get("kind")))
                .findFirst().orElseThrow();
        assertThat(JSON.valueToTree(monitor).at("/spec/endpoints/0/port").asText()).isEqualTo("http");
        assertThat(JSON.valueToTree(monitor).at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(JSON.valueToTree(monitor).at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        Map<String, Object> dashboard = documents.stream().filter(d -> "ConfigMap".equals(d.get("kind"))
                && JSON.valueToTree(d).at("/metadata/labels/grafana_dashboard").asText().equals("1"))
                .findFirst().orElseThrow();
        JsonNode shipped = JSON.readTree(Checkout.ROOT.resolve("helm/kubecrawl/dashboards/kubecrawl.json").toFile());
        JsonNode rendered = JSON.readTree(JSON.valueToTree(dashboard).at("/data/kubecrawl.json").asText());
        assertThat(rendered).isEqualTo(shipped);
        assertThat(rendered.at("/panels")).hasSizeGreaterThanOrEqualTo(8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object document) {
        return (Map<String, Object>) document;
    }
}
