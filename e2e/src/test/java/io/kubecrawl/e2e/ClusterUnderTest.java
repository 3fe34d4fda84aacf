package io.kubecrawl.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.e2e.cluster.KubecrawlCluster;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The one cluster every class of the suite runs on, with Kubecrawl installed from the chart: started by the first
 * class that needs it and stopped when the whole run ends (JUnit closes what the root store holds). A failed test
 * gets the cluster's last words printed: every component's log tail and every pod's output.
 */
public final class ClusterUnderTest implements BeforeAllCallback, TestWatcher {
    static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static Running running;

    /**
     * What the root store closes at the end of the run, or a shutdown hook if the run is stopped: the cluster's
     * processes are children of this JVM and would outlive it, holding their ports.
     */
    private record Running(KubecrawlCluster cluster, WarningEvents warnings, AtomicBoolean closed) implements
            ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                warnings.close();
                cluster.close();
            }
        }
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws Exception {
        if (running != null) {
            return;
        }
        // A new directory each run: etcd's data and the node's volumes of an earlier run must not come back.
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        KubecrawlCluster cluster = KubecrawlCluster.start(Files.createTempDirectory(target, "e2e-"));
        WarningEvents warnings = new WarningEvents(cluster.admin());
        running = new Running(cluster, warnings, new AtomicBoolean());
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "e2e cluster shutdown"));
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(ClusterUnderTest.class, running);
        KubecrawlChart.install(cluster.kubeConfig(), cluster.operatorImage(), cluster.workerImage(), TIMEOUT);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (running != null) {
            System.out.println("=== cluster state after the failure of " + context.getDisplayName() + "\n"
                    + running.cluster().diagnostics());
        }
    }

    static KubecrawlCluster cluster() {
        return running.cluster();
    }

    static KubernetesClient client() {
        return running.cluster().admin();
    }

    static WarningEvents warnings() {
        return running.warnings();
    }

    static Kubectl kubectl() {
        return new Kubectl(cluster().kubectl(), cluster().kubeConfig());
    }
}
