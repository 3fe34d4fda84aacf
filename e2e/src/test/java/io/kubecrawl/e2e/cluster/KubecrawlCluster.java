package io.kubecrawl.e2e.cluster;

import java.net.URI;
import java.nio.file.Path;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.e2e.controlplane.ControlPlaneBinaries;
import org.testcontainers.DockerClientFactory;

/**
 * A real Kubernetes cluster for the end-to-end suite, with the operator and worker images of this checkout ready to
 * run: k3s in a container where a Docker engine runs, the source-built control plane and its test node otherwise.
 * The suite talks to either through this view only.
 */
public interface KubecrawlCluster extends AutoCloseable {

    /** The backend this machine can run: k3s where Testcontainers finds a Docker engine, else the source build. */
    static KubecrawlCluster start(Path work) throws Exception {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return K3sCluster.start();
        }
        String missing = ControlPlaneBinaries.missing();
        if (missing != null) {
            throw new IllegalStateException("no Docker engine and no source-built control plane: " + missing);
        }
        return SourceBuiltCluster.start(work);
    }

    /** A client acting as a cluster administrator. */
    KubernetesClient admin();

    /** A kubeconfig file for kubectl and Helm, acting as a cluster administrator. */
    Path kubeConfig();

    /** The kubectl to run against this cluster, of the cluster's own version. */
    Path kubectl();

    String operatorImage();

    String workerImage();

    /**
     * Where the test reaches the operator's HTTP API (uploads, items, logs), given the Service's namespace and name;
     * on k3s a port forward to the Service.
     */
    URI operatorHttp(String namespace, String service);

    /**
     * How many loopback addresses ({@code 127.0.0.1}, {@code .2}, ...) the suite may serve its site on and have the
     * cluster's pods reach it as so many hosts: the test node shares the machine's loopback network; k3s pods reach
     * only the one address Testcontainers forwards.
     */
    int siteHosts();

    /** The host and port a pod of this cluster reaches the test's {@code loopbackAddress:port} at. */
    String siteAuthority(String loopbackAddress, int port);

    /**
     * Everything the containers of the namespace's pods printed, those of pods already gone and of earlier runs of a
     * restarted container included: what the suite searches for a {@code forbidden}.
     */
    String containerLogs(String namespace);

    /** What each part of the cluster said last, for a failed test's report. */
    String diagnostics();

    @Override
    void close();
}
