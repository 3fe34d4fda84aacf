package io.kubecrawl.e2e.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import org.testcontainers.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * k3s in a container, with the operator and worker images built from this checkout by the local Docker engine and
 * imported into its containerd ({@link LocalImages}). Needs a Docker engine; not run on machines without one, where
 * {@link SourceBuiltCluster} takes its place.
 */
final class K3sCluster implements KubecrawlCluster {
    private static final DockerImageName K3S_IMAGE = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");

    private final K3sContainer k3s;
    private final KubernetesClient admin;
    private final Path kubeConfig;
    private final Path kubectl;
    private final List<LocalPortForward> forwards = new ArrayList<>();

    private K3sCluster(K3sContainer k3s, Path kubeConfig, Path kubectl) {
        this.k3s = k3s;
        this.kubeConfig = kubeConfig;
        this.kubectl = kubectl;
        this.admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
    }

    static K3sCluster start() throws IOException, InterruptedException {
        String operatorImage = LocalImages.buildOperator();
        String workerImage = LocalImages.buildWorker();
        K3sContainer k3s = new K3sContainer(K3S_IMAGE);
        k3s.start();
        LocalImages.importInto(k3s, operatorImage);
        LocalImages.importInto(k3s, workerImage);
        Path kubeConfig = Files.createTempFile("k3s-", ".kubeconfig");
        Files.writeString(kubeConfig, k3s.getKubeConfigYaml());
        // The machine's kubectl: k3s brings none that runs outside its container.
        return new K3sCluster(k3s, kubeConfig, Path.of("kubectl"));
    }

    @Override
    public KubernetesClient admin() {
        return admin;
    }

    @Override
    public Path kubeConfig() {
        return kubeConfig;
    }

    @Override
    public Path kubectl() {
        return kubectl;
    }

    @Override
    public String operatorImage() {
        return LocalImages.OPERATOR;
    }

    @Override
    public String workerImage() {
        return LocalImages.WORKER;
    }

    @Override
    public synchronized URI operatorHttp(String namespace, String service) {
        LocalPortForward forward = admin.services().inNamespace(namespace).withName(service).portForward(8080);
        forwards.add(forward);
        return URI.create("http://127.0.0.1:" + forward.getLocalPort() + "/");
    }

    @Override
    public int siteHosts() {
        return 1;
    }

    @Override
    public String siteAuthority(String loopbackAddress, int port) {
        Testcontainers.exposeHostPorts(port);
        return "host.testcontainers.internal:" + port;
    }

    @Override
    public String containerLogs(String namespace) {
        StringBuilder logs = new StringBuilder();
        for (var pod : admin.pods().inNamespace(namespace).list().getItems()) {
            for (var container : pod.getSpec().getContainers()) {
                var logOf = admin.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                        .inContainer(container.getName());
                logs.append(logOf.getLog()).append('\n');
                try {
                    logs.append(logOf.terminated().getLog()).append('\n');
                } catch (RuntimeException noEarlierRun) {
                    // a container that never restarted has no previous log
                }
            }
        }
        return logs.toString();
    }

    @Override
    public String diagnostics() {
        return k3s.getLogs();
    }

    @Override
    public void close() {
        forwards.forEach(forward -> {
            try {
                forward.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        admin.close();
        k3s.stop();
    }
}
