package io.kubecrawl.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.marcnuri.helm.Helm;
import org.testcontainers.utility.DockerImageName;

/** The suite's Helm release: helm/kubecrawl with the images built for it. */
final class KubecrawlChart {
    static final String RELEASE = "kubecrawl";
    static final String NAMESPACE = "kubecrawl-system";
    private static final Path CHART = Checkout.ROOT.resolve("helm/kubecrawl");

    private KubecrawlChart() {
    }

    /**
     * Values named as in helm/kubecrawl/values.yaml. Pull policy Never: the image is imported into the cluster, and
     * one that is missing must fail at once rather than be looked for in a registry.
     */
    static Map<String, Object> values(String operatorImage, String workerImage) {
        DockerImageName operator = DockerImageName.parse(operatorImage);
        DockerImageName worker = DockerImageName.parse(workerImage);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("image.repository", operator.getRepository());
        values.put("image.tag", operator.getVersionPart());
        values.put("image.pullPolicy", "Never");
        values.put("worker.image.repository", worker.getRepository());
        values.put("worker.image.tag", worker.getVersionPart());
        return values;
    }

    /** Installs the release (its CRDs first) and waits until the operator's Deployment is ready. */
    static void install(Path kubeConfig, String operatorImage, String workerImage, Duration timeout) {
        var install = Helm.install(CHART.toString())
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .createNamespace()
                .withKubeConfig(kubeConfig)
                .waitReady()
                .withTimeout((int) timeout.toSeconds());
        values(operatorImage, workerImage).forEach(install::set);
        install.call();
    }

    /** Upgrades the release with these values on top of the suite's own, and waits until it is ready again. */
    static void upgrade(Path kubeConfig, String operatorImage, String workerImage, Map<String, Object> changed,
            Duration timeout) {
        var upgrade = Helm.upgrade(CHART.toString())
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeConfig(kubeConfig)
                .waitReady()
                .withTimeout((int) timeout.toSeconds());
        values(operatorImage, workerImage).forEach(upgrade::set);
        changed.forEach(upgrade::set);
        upgrade.call();
    }

    /** The manifests the release would install, rendered without a cluster. */
    static String render(String operatorImage, String workerImage) {
        return render(operatorImage, workerImage, Map.of());
    }

    /** As {@link #render(String, String)}, with these values on top of the suite's own. */
    static String render(String operatorImage, String workerImage, Map<String, Object> changed) {
        var template = Helm.template(CHART.toString()).withName(RELEASE).withNamespace(NAMESPACE);
        values(operatorImage, workerImage).forEach(template::set);
        changed.forEach(template::set);
        return template.call();
    }
}
