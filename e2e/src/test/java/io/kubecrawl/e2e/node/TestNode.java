package io.kubecrawl.e2e.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubecrawl.e2e.controlplane.ControlPlane;
import io.kubecrawl.e2e.controlplane.ControlPlaneBinaries;
import io.kubecrawl.e2e.controlplane.Identity;

/**
 * The one node of the source-built control plane, playing the kubelet and the scheduler for the tests. It registers
 * a Node and renews its Lease, so that the node lifecycle controller keeps it Ready; binds every unscheduled pod to
 * itself through the binding subresource, as the scheduler's identity; and runs the pods bound to it as local
 * processes ({@link NodePod}), as the node's identity, which the Node authorizer and NodeRestriction admission
 * judge as they judge a kubelet. A pod that is deleted is stopped with its grace period and then removed, as a
 * kubelet does.
 *
 * <p>What it does not do: resource limits, security contexts (processes run as the test's user), liveness and startup
 * probes, image pulls (images map to this checkout's builds, see {@link ImageMapping}) and pod networking (every pod
 * shares the node's loopback address; {@link ServiceHosts} resolves Service names to it).
 */
public final class TestNode implements AutoCloseable {
    public static final String NAME = "kubecrawl-e2e-node";
    /** The node's and every pod's address. */
    public static final String ADDRESS = ControlPlane.HOST;
    private static final String LEASE_NAMESPACE = "kube-node-lease";
    private static final int LEASE_SECONDS = 40;
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private final KubernetesClient nodeClient;
    private final KubernetesClient schedulerClient;
    private final KubernetesClient adminClient;
    private final Path root;
    private final ImageMapping images;
    private final PodEnvironment environment;
    private final ServiceHosts hosts;
    private final LocalVolumeProvisioner provisioner;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final ExecutorService podWork = Executors.newCachedThreadPool();
    private final Map<String, NodePod> pods = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    public TestNode(ControlPlane controlPlane, Identity node, Identity scheduler, Path root, ImageMapping images) {
        this.nodeClient = controlPlane.client(node);
        this.schedulerClient = controlPlane.client(scheduler);
        this.adminClient = controlPlane.client(controlPlane.admin());
        this.root = root;
        this.images = images;
        this.environment = new PodEnvironment(nodeClient, controlPlane.apiServerPort());
        this.hosts = new ServiceHosts(root.resolve("hosts"));
        this.provisioner = new LocalVolumeProvisioner(adminClient, root.resolve("volumes"));
    }

    public void start() {
        try {
            Files.createDirectories(root.resolve("pods"));
            Files.createDirectories(root.resolve("volumes"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        hosts.write(List.of());
        register();
        timer.scheduleAtFixedRate(this::renewLease, 10, 10, TimeUnit.SECONDS);
        timer.scheduleAtFixedRate(this::probePods, 1, 1, TimeUnit.SECONDS);
        provisioner.start();
        SharedIndexInformer<Service> services = nodeClient.services().inAnyNamespace().inform();
        services.addEventHandler(new EveryChange<>(() -> hosts.write(services.getStore().list())));
        informers.add(services);
        informers.add(schedulerClient.pods().inAnyNamespace().withField("spec.nodeName", "")
                .inform(new EveryChange<Pod>(this::bind)));
        informers.add(nodeClient.pods().inAnyNamespace().withField("spec.nodeName", NAME)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        sync(pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod pod) {
                        sync(pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknownFinalState) {
                        NodePod gone = pods.remove(key(pod));
                        if (gone != null) {
                            gone.kill();
                        }
                    }
                }));
    }

    private void register() {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("2"), "memory", new Quantity("24Gi"),
                "pods", new Quantity("110"), "ephemeral-storage", new Quantity("100Gi"));
        Node node = new NodeBuilder()
                .withNewMetadata().withName(NAME).withLabels(Map.of("kubernetes.io/hostname", NAME,
                        "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64")).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .withCapacity(capacity).withAllocatable(capacity)
                .withConditions(
                        new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                                .withMessage("the test node runs pods as local processes").build(),
                        new NodeConditionBuilder().withType("MemoryPressure").withStatus("False").build(),
                        new NodeConditionBuilder().withType("DiskPressure").withStatus("False").build(),
                        new NodeConditionBuilder().withType("PIDPressure").withStatus("False").build())
                .addNewAddress().withType("InternalIP").withAddress(ADDRESS).endAddress()
                .addNewAddress().withType("Hostname").withAddress(NAME).endAddress()
                .withNewNodeInfo().withKubeletVersion("v" + ControlPlaneBinaries.KUBERNETES_VERSION)
                .withOperatingSystem("linux").withArchitecture("amd64")
                .withContainerRuntimeVersion("kubecrawl-test-node://1").endNodeInfo()
                .endStatus()
                .build();
        Node created = nodeClient.nodes().resource(node).create();
        created.setStatus(node.getStatus());
        nodeClient.nodes().resource(created).updateStatus();
        nodeClient.leases().inNamespace(LEASE_NAMESPACE).resource(new LeaseBuilder()
                .withNewMetadata().withName(NAME).withNamespace(LEASE_NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity(NAME).withLeaseDurationSeconds(LEASE_SECONDS)
                .withRenewTime(now()).endSpec().build()).create();
    }

    /** A merge patch of the renew time: what a kubelet changes every ten seconds. */
    private void renewLease() {
        try {
            nodeClient.leases().inNamespace(LEASE_NAMESPACE).withName(NAME).patch(
                    PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"renewTime\":\"" + MICRO_TIME.format(now()) + "\"}}");
        } catch (KubernetesClientException e) {
            // The API server may be restarting; the next renewal comes in ten seconds, well within the lease.
        }
    }

    private static ZonedDateTime now() {
        return ZonedDateTime.now(ZoneOffset.UTC);
    }

    private void bind(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec().getNodeName() != null
                && !pod.getSpec().getNodeName().isEmpty()) {
            return;
        }
        try {
            schedulerClient.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName())
                    .withNamespace(pod.getMetadata().getNamespace()).withUid(pod.getMetadata().getUid())
                    .endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(NAME).endTarget()
                    .build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) { // bound already, or deleted meanwhile
                throw e;
            }
        }
    }

    private void sync(Pod pod) {
        String key = key(pod);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            NodePod running = pods.get(key);
            long grace = pod.getMetadata().getDeletionGracePeriodSeconds() == null ? 30
                    : pod.getMetadata().getDeletionGracePeriodSeconds();
            if (running != null && running.claimTermination()) {
                podWork.submit(() -> {
                    running.terminate(grace);
                    publish(running);
                    forget(pod);
                });
            } else if (running == null) {
                podWork.submit(() -> forget(pod));
            }
            return;
        }
        if (pods.containsKey(key) || isTerminal(pod)) {
            return;
        }
        NodePod nodePod = new NodePod(pod, root.resolve("pods").resolve(pod.getMetadata().getNamespace() + "_"
                + pod.getMetadata().getName() + "_" + pod.getMetadata().getUid()), new Services(), this::publish);
        if (pods.putIfAbsent(key, nodePod) == null) {
            podWork.submit(nodePod::start);
        }
    }

    /** The kubelet's last word on a deleted pod: remove it from the API, its containers being gone. */
    private void forget(Pod pod) {
        try {
            nodeClient.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void publish(NodePod nodePod) {
        synchronized (nodePod) {
            Pod pod = nodePod.pod();
            try {
                nodeClient.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .patchStatus(new PodBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                                .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                                .withStatus(nodePod.status()).build());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    // The API server may be restarting: the next change, or the next probe, reports again.
                    System.err.println("test node: cannot report the status of pod " + nodePod.key() + ": "
                            + e.getMessage());
                }
            }
        }
    }

    private void probePods() {
        for (NodePod pod : pods.values()) {
            try {
                pod.probe();
            } catch (RuntimeException e) {
                System.err.println("test node: probe of pod " + pod.key() + " failed: " + e);
            }
        }
    }

    /** The running process of a pod's container: what a test kills to crash it, as {@code kill -9} would. */
    public Optional<Process> process(String namespace, String podName, String container) {
        return Optional.ofNullable(pods.get(namespace + "/" + podName)).map(pod -> pod.process(container));
    }

    /** The last lines every container of every pod printed, for a failed test's report. */
    public String podOutputs(int lines) {
        return pods.values().stream().map(pod -> pod.output(lines)).collect(Collectors.joining("\n"));
    }

    /**
     * All that the containers of the namespace's pods printed, pods since deleted included; not what the node itself
     * recorded about them ({@link NodePod#NODE_EVENTS}).
     */
    public String containerLogs(String namespace) {
        StringBuilder logs = new StringBuilder();
        try (var podDirs = Files.newDirectoryStream(root.resolve("pods"), namespace + "_*")) {
            for (Path podDir : podDirs) {
                if (!Files.isDirectory(podDir.resolve("logs"))) {
                    continue;
                }
                try (var files = Files.newDirectoryStream(podDir.resolve("logs"), "*.log")) {
                    for (Path log : files) {
                        logs.append(Files.readString(log)).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return logs.toString();
    }

    private static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        provisioner.close();
        timer.shutdownNow();
        pods.values().parallelStream().forEach(pod -> pod.terminate(5));
        podWork.shutdownNow();
        nodeClient.close();
        schedulerClient.close();
        adminClient.close();
    }

    private final class Services implements NodePod.NodeServices {
        @Override
        public KubernetesClient nodeClient() {
            return nodeClient;
        }

        @Override
        public ImageMapping images() {
            return images;
        }

        @Override
        public PodEnvironment environment() {
            return environment;
        }

        @Override
        public Path hostsFile() {
            return hosts.file();
        }

        @Override
        public ScheduledExecutorService timer() {
            return timer;
        }
    }
}
