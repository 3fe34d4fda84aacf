package io.kubecrawl.operator.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Plays the Job controller and the kubelet on this machine: runs a worker Job's pods from its pod template as local
 * processes (init containers in order, then the main container), with the pod's volumes as directories, its env
 * resolved as a kubelet would (field refs, secret keys), and writes the Job status a Job controller would. A failed
 * pod is replaced while the Job's backoff limit allows, as the Job controller does. {@code kubecrawl-worker} runs
 * through the image's own launcher script, on the worker jar of the build (and its class archive, if given one).
 */
public final class LocalKubelet implements AutoCloseable {
    /** The image's {@code /usr/local/bin/kubecrawl-worker}, from the operator module's directory. */
    private static final Path LAUNCHER = Path.of("../worker-image/src/main/sh/kubecrawl-worker").toAbsolutePath()
            .normalize();

    private final KubernetesClient client;
    private final Path root;
    private final Path workerJar;
    private final String operatorAddress;
    private final Map<String, String> extraEnv;
    private final List<LocalPod> pods = new CopyOnWriteArrayList<>();
    private Path classArchive;
    private Job job;
    private int failed;
    private boolean closed;

    /**
     * @param operatorAddress what the pods reach the operator at (the template names the cluster Service)
     * @param extraEnv environment the image would provide (for example where the Scrapy helper lives)
     */
    public LocalKubelet(KubernetesClient client, Path root, Path workerJar, String operatorAddress,
            Map<String, String> extraEnv) {
        this.client = client;
        this.root = root;
        this.workerJar = workerJar;
        this.operatorAddress = operatorAddress;
        this.extraEnv = extraEnv;
    }

    /**
     * Maps this class data sharing archive in every worker JVM, as the image does (written by
     * {@code kubecrawl-worker-class-archive} for the worker jar, with the {@code java} on the pods' PATH).
     */
    public LocalKubelet withClassArchive(Path archive) {
        this.classArchive = archive;
        return this;
    }

    /** Starts the Job's pods, as many as its parallelism. */
    public synchronized void run(Job job) {
        this.job = job;
        for (int i = 0; i < job.getSpec().getParallelism(); i++) {
            startPod();
        }
        publishStatus();
    }

    public List<LocalPod> pods() {
        return List.copyOf(pods);
    }

    private synchronized void startPod() {
        if (closed) {
            return; // a pod that failed while the kubelet closes is not replaced
        }
        String name = job.getMetadata().getName() + "-" + UUID.randomUUID().toString().substring(0, 5);
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir.resolve("workspace"));
            Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var spec = job.getSpec().getTemplate().getSpec();
        List<ProcessBuilder> containers = new ArrayList<>();
        for (Container c : spec.getInitContainers()) {
            containers.add(processFor(c, name, dir));
        }
        for (Container c : spec.getContainers()) {
            containers.add(processFor(c, name, dir));
        }
        LocalPod pod = new LocalPod(name, dir, containers, this::podEnded);
        pods.add(pod);
        pod.start();
    }

    private synchronized void podEnded(LocalPod pod) {
        if (!pod.succeeded()) {
            failed++;
            if (failed <= job.getSpec().getBackoffLimit() && !anyPodSucceeded()) {
                startPod();
            }
        }
        publishStatus();
    }

    private boolean anyPodSucceeded() {
        return pods.stream().anyMatch(LocalPod::succeeded);
    }

    private synchronized void publishStatus() {
        Job current = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                .withName(job.getMetadata().getName()).get();
        if (current == null) {
            return;
        }
        var status = current.getStatus() == null ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus()
                : current.getStatus();
        int active = (int) pods.stream().filter(LocalPod::isRunning).count();
        int succeeded = (int) pods.stream().filter(LocalPod::succeeded).count();
        status.setActive(active);
        status.setReady(active);
        status.setSucceeded(succeeded);
        status.setFailed(failed);
        if (active == 0 && succeeded > 0) {
            status.setConditions(List.of(new JobConditionBuilder().withType("Complete").withStatus("True").build()));
        }
        current.setStatus(status);
        client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(current).updateStatus();
    }

    private ProcessBuilder processFor(Container container, String podName, Path dir) {
        List<String> command = new ArrayList<>();
        for (String word : container.getCommand()) {
            if (command.isEmpty() && word.equals("kubecrawl-worker")) {
                command.addAll(List.of("sh", LAUNCHER.toString()));
            } else {
                command.add(mapPath(word, dir));
            }
        }
        if (container.getArgs() != null) {
            container.getArgs().forEach(arg -> command.add(mapPath(arg, dir)));
        }
        ProcessBuilder process = new ProcessBuilder(command)
                .directory(container.getWorkingDir() == null ? dir.toFile()
                        : new File(mapPath(container.getWorkingDir(), dir)));
        Map<String, String> env = process.environment();
        env.keySet().removeIf(key -> key.startsWith("KUBECRAWL_"));
        // A container's PATH: Debian's own python3 and scrapy, not the build machine's.
        env.put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", dir.resolve("tmp").toString());
        env.putAll(extraEnv);
        env.put("KUBECRAWL_SCRATCH", dir.resolve("tmp/kubecrawl").toString());
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), resolve(var, podName, dir));
        }
        env.put("KUBECRAWL_OPERATOR_ADDRESS", operatorAddress);
        env.put("KUBECRAWL_WORKER_JAR", workerJar.toString());
        env.put("JAVA_OPTS", "-Xmx128m");
        if (classArchive != null) {
            env.put("KUBECRAWL_WORKER_CLASS_ARCHIVE", classArchive.toString());
        }
        return process;
    }

    private String resolve(EnvVar var, String podName, Path dir) {
        if (var.getValueFrom() == null) {
            return mapPath(var.getValue(), dir);
        }
        if (var.getValueFrom().getFieldRef() != null) {
            return switch (var.getValueFrom().getFieldRef().getFieldPath()) {
                case "metadata.name" -> podName;
                case "metadata.namespace" -> job.getMetadata().getNamespace();
                default -> throw new IllegalArgumentException("field " + var.getValueFrom().getFieldRef());
            };
        }
        var ref = var.getValueFrom().getSecretKeyRef();
        Secret secret = client.secrets().inNamespace(job.getMetadata().getNamespace()).withName(ref.getName()).get();
        return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
    }

    private static String mapPath(String value, Path dir) {
        for (String volume : List.of("/workspace", "/tmp")) {
            if (value.equals(volume) || value.startsWith(volume + "/")) {
                return dir.resolve(volume.substring(1)) + value.substring(volume.length());
            }
        }
        return value;
    }

    @Override
    public void close() {
        List<LocalPod> started;
        synchronized (this) {
            closed = true;
            started = List.copyOf(pods);
        }
        // Outside the lock: a killed pod's end calls back into the kubelet.
        started.forEach(LocalPod::kill);
    }

    /** Environment a test adds to every pod; keys and values as a kubelet would see them. */
    public static Map<String, String> env(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return env;
    }
}
