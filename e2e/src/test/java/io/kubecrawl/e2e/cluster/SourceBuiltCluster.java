package io.kubecrawl.e2e.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.e2e.Checkout;
import io.kubecrawl.e2e.controlplane.ControlPlane;
import io.kubecrawl.e2e.controlplane.ControlPlaneBinaries;
import io.kubecrawl.e2e.controlplane.Identity;
import io.kubecrawl.e2e.node.ImageMapping;
import io.kubecrawl.e2e.node.TestNode;

/**
 * etcd, kube-apiserver and kube-controller-manager built from source ({@link ControlPlane}), with one
 * {@link TestNode} that runs pods as local processes from this checkout's builds.
 */
public final class SourceBuiltCluster implements KubecrawlCluster {
    private final ControlPlane controlPlane;
    private final TestNode node;
    private final KubernetesClient admin;
    private final Path kubeConfig;

    private SourceBuiltCluster(ControlPlane controlPlane, TestNode node) {
        this.controlPlane = controlPlane;
        this.node = node;
        this.admin = controlPlane.client(controlPlane.admin());
        this.kubeConfig = controlPlane.writeKubeConfig("admin", controlPlane.admin());
    }

    static SourceBuiltCluster start(Path work) throws IOException {
        Files.createDirectories(work);
        Identity nodeIdentity = Identity.node(TestNode.NAME);
        Identity scheduler = Identity.scheduler();
        ControlPlane controlPlane = new ControlPlane(work.resolve("control-plane"), ControlPlaneBinaries.directory(),
                List.of(nodeIdentity, scheduler));
        controlPlane.start();
        TestNode node = new TestNode(controlPlane, nodeIdentity, scheduler, work.resolve("node"),
                new ImageMapping(Checkout.ROOT));
        node.start();
        return new SourceBuiltCluster(controlPlane, node);
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The running process of a pod's container, for tests that crash it. */
    public Optional<Process> process(String namespace, String pod, String container) {
        return node.process(namespace, pod, container);
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
        return ControlPlaneBinaries.directory().resolve("kubectl");
    }

    @Override
    public String operatorImage() {
        return "kubecrawl/kubecrawl-operator:e2e";
    }

    @Override
    public String workerImage() {
        return "kubecrawl/kubecrawl-worker:e2e";
    }

    /** Pods share the node's loopback address, and a Service's port is its pod's port. */
    @Override
    public URI operatorHttp(String namespace, String service) {
        int port = admin.services().inNamespace(namespace).withName(service).require().getSpec().getPorts().stream()
                .filter(p -> "http".equals(p.getName())).findFirst().orElseThrow().getPort();
        return URI.create("http://" + TestNode.ADDRESS + ":" + port + "/");
    }

    @Override
    public int siteHosts() {
        return 4;
    }

    @Override
    public String siteAuthority(String loopbackAddress, int port) {
        return loopbackAddress + ":" + port;
    }

    @Override
    public String containerLogs(String namespace) {
        return node.containerLogs(namespace);
    }

    @Override
    public String diagnostics() {
        return controlPlane.logTails(40) + "\n" + node.podOutputs(60);
    }

    @Override
    public void close() {
        node.close();
        admin.close();
        controlPlane.close();
    }
}
