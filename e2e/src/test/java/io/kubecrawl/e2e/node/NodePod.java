package io.kubecrawl.e2e.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.VolumeMount;

/**
 * A pod bound to the test node: its volumes prepared, its init containers run one after the other, then its main
 * containers, each restarted as the pod's restart policy says; its readiness probes run; and its status reported to
 * the API server after every change, so that the Job, ReplicaSet and Deployment controllers act on it as on a real
 * kubelet's pod.
 */
final class NodePod {
    /** Between the restarts of a container that keeps exiting; a kubelet backs off from 10 s to 5 min. */
    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);
    /** Between two attempts to prepare a pod whose Secrets, volumes or token cannot be had yet. */
    private static final Duration PREPARE_RETRY_DELAY = Duration.ofSeconds(1);
    /** The file, among the containers' logs, where the node records what kept a pod from starting. */
    static final String NODE_EVENTS = "test-node.events";
    private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Pod pod;
    private final Path dir;
    private final NodeServices services;
    private final Consumer<NodePod> statusChanged;
    private final List<ContainerRun> initContainers = new CopyOnWriteArrayList<>();
    private final List<ContainerRun> containers = new CopyOnWriteArrayList<>();
    private final Instant startTime = Instant.now();
    private final Map<String, PodCondition> conditions = new LinkedHashMap<>();
    private volatile boolean initialized;
    private volatile boolean terminating;
    private final AtomicBoolean terminationClaimed = new AtomicBoolean();
    private volatile String phase = "Pending";
    private volatile String failure;

    NodePod(Pod pod, Path dir, NodeServices services, Consumer<NodePod> statusChanged) {
        this.pod = pod;
        this.dir = dir;
        this.services = services;
        this.statusChanged = statusChanged;
    }

    String key() {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    Pod pod() {
        return pod;
    }

    /**
     * Prepares the pod and runs its containers; returns at once, the containers go on in the background. A pod that
     * cannot be prepared yet is tried again, as a kubelet does: right after binding, the Node authorizer may not yet
     * let this node read the Secrets the pod names, and an API server that is restarting answers nothing.
     */
    void start() {
        if (terminating) {
            return;
        }
        try {
            Files.createDirectories(dir.resolve("logs"));
            Map<String, Path> volumes = new PodVolumes(services.nodeClient(), dir).prepare(pod);
            List<ContainerRun> init = new ArrayList<>();
            for (Container container : list(pod.getSpec().getInitContainers())) {
                init.add(prepare(container, volumes));
            }
            List<ContainerRun> main = new ArrayList<>();
            for (Container container : pod.getSpec().getContainers()) {
                main.add(prepare(container, volumes));
            }
            initContainers.addAll(init);
            containers.addAll(main);
            failure = null;
        } catch (IOException | RuntimeException e) {
            failure = "cannot prepare the pod yet: " + e;
            record(failure);
            statusChanged.accept(this);
            services.timer().schedule(this::start, PREPARE_RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        statusChanged.accept(this);
        if (initContainers.stream().allMatch(ContainerRun::runnable)
                && containers.stream().allMatch(ContainerRun::runnable)) {
            runInitContainer(0);
        }
    }

    /** What the node did with the pod, kept next to the containers' logs for a failed test's post-mortem. */
    private void record(String event) {
        try {
            Files.writeString(dir.resolve("logs").resolve(NODE_EVENTS), Instant.now() + " " + event + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("test node: pod " + key() + ": " + event);
        }
    }

    private ContainerRun prepare(Container container, Map<String, Path> volumes) throws IOException {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : list(container.getVolumeMounts())) {
            Path volume = volumes.get(mount.getName());
            mounts.put(mount.getMountPath(), mount.getSubPath() == null || mount.getSubPath().isEmpty() ? volume
                    : Files.createDirectories(volume.resolve(mount.getSubPath())));
        }
        ContainerPaths paths = new ContainerPaths(mounts, services.hostsFile());
        List<String> command = services.images().command(container, paths);
        if (command == null) {
            return ContainerRun.unrunnable(container, "ErrImageNeverPull",
                    "the test node has no build of image " + container.getImage());
        }
        Map<String, String> env = new LinkedHashMap<>();
        // A container starts from its image's environment, not the node's: Debian's own python3 and scrapy.
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("LANG", "C.UTF-8");
        env.put("HOME", mounts.containsKey("/tmp") ? mounts.get("/tmp").toString() : dir.toString());
        env.put("HOSTNAME", pod.getMetadata().getName());
        env.putAll(services.images().environment(container, paths));
        services.environment().of(pod, container).forEach((name, value) -> env.put(name, paths.map(value)));
        Path workingDir = container.getWorkingDir() == null ? dir : Path.of(paths.map(container.getWorkingDir()));
        Files.createDirectories(workingDir);
        return new ContainerRun(container, command, env, workingDir,
                dir.resolve("logs").resolve(container.getName() + ".log"));
    }

    private void runInitContainer(int index) {
        if (terminating) {
            return;
        }
        if (index == initContainers.size()) {
            initialized = true;
            phase = "Running";
            containers.forEach(this::runContainer);
            return;
        }
        ContainerRun init = initContainers.get(index);
        started(init).thenAccept(code -> {
            if (code == 0) {
                statusChanged.accept(this);
                runInitContainer(index + 1);
            } else if (restartsOnFailure() && !terminating) {
                services.timer().schedule(() -> runInitContainer(index), RESTART_DELAY.toMillis(),
                        TimeUnit.MILLISECONDS);
                statusChanged.accept(this);
            } else {
                phase = "Failed";
                statusChanged.accept(this);
            }
        });
    }

    private void runContainer(ContainerRun container) {
        if (terminating) {
            return;
        }
        started(container).thenAccept(code -> {
            boolean restart = !terminating && switch (restartPolicy()) {
                case "Always" -> true;
                case "OnFailure" -> code != 0;
                default -> false;
            };
            if (restart) {
                services.timer().schedule(() -> runContainer(container), RESTART_DELAY.toMillis(),
                        TimeUnit.MILLISECONDS);
            } else if (containers.stream().noneMatch(ContainerRun::isRunning)) {
                phase = containers.stream().allMatch(run -> Integer.valueOf(0).equals(run.exitCode()))
                        ? "Succeeded" : "Failed";
            }
            statusChanged.accept(this);
        });
        if (container.container().getReadinessProbe() == null) {
            container.ready(true);
        }
        statusChanged.accept(this);
    }

    private CompletableFuture<Integer> started(ContainerRun container) {
        try {
            return container.start();
        } catch (IOException e) {
            failure = "cannot start container " + container.name() + ": " + e.getMessage();
            return CompletableFuture.completedFuture(128);
        }
    }

    /** Runs every readiness probe of the pod's running containers once; reports a change of readiness. */
    void probe() {
        boolean changed = false;
        for (ContainerRun container : containers) {
            Probe probe = container.container().getReadinessProbe();
            if (probe == null || probe.getHttpGet() == null || !container.isRunning()) {
                continue;
            }
            boolean ready = httpGetSucceeds(container.container(), probe);
            if (ready != container.ready()) {
                container.ready(ready);
                changed = true;
            }
        }
        if (changed) {
            statusChanged.accept(this);
        }
    }

    private static boolean httpGetSucceeds(Container container, Probe probe) {
        int port = port(container, probe.getHttpGet().getPort());
        String path = probe.getHttpGet().getPath() == null ? "/" : probe.getHttpGet().getPath();
        int timeout = probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds();
        try {
            HttpResponse<Void> answer = PROBES.send(HttpRequest.newBuilder(
                    URI.create("http://" + TestNode.ADDRESS + ":" + port + path))
                    .timeout(Duration.ofSeconds(timeout)).build(), HttpResponse.BodyHandlers.discarding());
            return answer.statusCode() >= 200 && answer.statusCode() < 400;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int port(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return list(container.getPorts()).stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no port named " + port.getStrVal()));
    }

    /** True for the first caller only: a deletion, seen in several watch events, is acted on once. */
    boolean claimTermination() {
        return terminationClaimed.compareAndSet(false, true);
    }

    /** Stops every container (SIGTERM, then SIGKILL after the grace period), as for a pod being deleted. */
    void terminate(long graceSeconds) {
        terminating = true;
        List<ContainerRun> all = new ArrayList<>(initContainers);
        all.addAll(containers);
        all.parallelStream().forEach(container -> container.stop(graceSeconds));
        if (!"Succeeded".equals(phase)) {
            phase = all.stream().anyMatch(run -> run.exitCode() != null && run.exitCode() != 0) ? "Failed" : phase;
        }
    }

    /** SIGKILL to every process of the pod, as when the node dies. */
    void kill() {
        terminating = true;
        initContainers.forEach(ContainerRun::kill);
        containers.forEach(ContainerRun::kill);
    }

    /** The running process of a container, for tests that crash it: what {@code kill -9} of its PID does. */
    Process process(String container) {
        return containers.stream().filter(run -> run.name().equals(container)).findFirst()
                .map(ContainerRun::process).orElse(null);
    }

    boolean finished() {
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    PodStatus status() {
        List<ContainerStatus> init = initContainers.stream().map(ContainerRun::status).toList();
        List<ContainerStatus> main = containers.stream().map(ContainerRun::status).toList();
        boolean containersReady = !containers.isEmpty() && containers.stream().allMatch(ContainerRun::ready);
        List<PodCondition> conditions = List.of(
                condition("PodReadyToStartContainers", true),
                condition("Initialized", initialized),
                condition("ContainersReady", containersReady),
                condition("Ready", containersReady),
                condition("PodScheduled", true));
        PodStatusBuilder status = new PodStatusBuilder()
                .withPhase(phase)
                .withHostIP(TestNode.ADDRESS)
                .withStartTime(startTime.toString())
                .withConditions(conditions)
                .withInitContainerStatuses(init)
                .withContainerStatuses(main);
        if (failure != null) {
            status.withReason("TestNodeError").withMessage(failure);
        }
        return status.build();
    }

    /** The condition, whose transition time moves only when its status does. */
    private synchronized PodCondition condition(String type, boolean value) {
        String status = value ? "True" : "False";
        PodCondition last = conditions.get(type);
        if (last == null || !last.getStatus().equals(status)) {
            last = new PodConditionBuilder().withType(type).withStatus(status)
                    .withLastTransitionTime(Instant.now().toString()).build();
            conditions.put(type, last);
        }
        return last;
    }

    private boolean restartsOnFailure() {
        return !"Never".equals(restartPolicy());
    }

    private String restartPolicy() {
        return pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    }

    /** What every container printed, for a failed test's report. */
    String output(int lines) {
        StringBuilder text = new StringBuilder();
        Path events = dir.resolve("logs").resolve(NODE_EVENTS);
        if (Files.exists(events)) {
            try {
                text.append("--- pod ").append(key()).append(", what the test node recorded\n")
                        .append(Files.readString(events));
            } catch (IOException e) {
                text.append("(cannot read ").append(events).append(")\n");
            }
        }
        List<ContainerRun> all = new ArrayList<>(initContainers);
        all.addAll(containers);
        for (ContainerRun container : all) {
            if (container.log() == null || !Files.exists(container.log())) {
                continue;
            }
            try {
                List<String> log = Files.readAllLines(container.log());
                text.append("--- pod ").append(key()).append(", container ").append(container.name())
                        .append(", last ").append(lines).append(" lines\n")
                        .append(String.join("\n", log.subList(Math.max(0, log.size() - lines), log.size())))
                        .append('\n');
            } catch (IOException e) {
                text.append("(cannot read ").append(container.log()).append(")\n");
            }
        }
        return text.toString();
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }

    /** What the pods of one node share: its clients, its image mapping, its hosts file and its timer. */
    interface NodeServices {
        io.fabric8.kubernetes.client.KubernetesClient nodeClient();

        ImageMapping images();

        PodEnvironment environment();

        Path hostsFile();

        ScheduledExecutorService timer();
    }
}
