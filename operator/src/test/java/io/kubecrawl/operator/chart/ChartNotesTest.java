package io.kubecrawl.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;

/** NOTES.txt, as printed by a client-only dry-run {@code helm install}. */
class ChartNotesTest {

    private static String notes(InstallCommand install) {
        Release release = install.withName("kubecrawl").withNamespace("crawl-system").clientOnly().dryRun().call();
        return release.getOutput();
    }

    private static InstallCommand install() {
        return new Helm(RenderedChart.chartDir()).install();
    }

    @Test
    void notesTellHowToCheckTheOperatorApplyExamplesAndReachTheApi() {
        String notes = notes(install());

        assertThat(notes)
                .contains("kubectl -n crawl-system rollout status deployment/kubecrawl")
                .contains("kubectl get crd spiders.kubecrawl.io crawljobs.kubecrawl.io")
                .contains("kubectl apply -n <namespace> -f examples/quotes/")
                .contains("kubectl -n crawl-system port-forward service/kubecrawl 8080:8080")
                .contains("/api/v1/namespaces/<namespace>/spiders/<name>/bundle")
                .contains("/api/v1/namespaces/<namespace>/crawljobs/<name>/items")
                .contains("kubecrawl.crawl-system.svc:9090")
                .contains("is kept by \"helm uninstall\"")
                .doesNotContain("WARNING");
    }

    @Test
    void notesWarnWhenDataIsNotPersistedOrRbacIsNotCreated() {
        String notes = notes(install().set("persistence.enabled", false).set("rbac.create", false));

        assertThat(notes)
                .contains("WARNING: persistence.enabled is false")
                .contains("rbac.create is false");
    }
}
