package io.kubecrawl.operator.system;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.ConfigMapSource;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.SlotProgress;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.SpiderSpec;
import io.kubecrawl.crd.v1alpha1.WorkersStatus;
import io.kubecrawl.operator.crawljob.ChildNames;
import io.kubecrawl.operator.crawljob.CrawlJobReasons;
import io.kubecrawl.operator.crawljob.CrawlJobStatusBuilder;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.SeedList;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Benchmark, not a test (benchmarks/recovery/run.sh runs it): the recovery of a freshly started operator on a real
 * control plane (etcd and kube-apiserver, no controller manager: nothing here needs pods) holding {@code JOBS}
 * CrawlJobs in mixed phases, each of {@code SEEDS} seeds in batches of one, all reading their seeds from one
 * ConfigMap. Prints the time from the operator process's launch to its readiness (the recovery gate open), the
 * operator's own recovery metrics, and its heap (from its GC log: the most in use before a collection, the most left
 * after one, and the live set after a full collection once recovered).
 *
 * <p>The operator runs as a process of its own, from {@code operator/target/quarkus-app} through the image's
 * entrypoint: a first run creates the jobs' children (worker Jobs and token Secrets) as it would have while the jobs
 * ran, writes the JVM's class-data archive a minute after its recovery as in a pod (unless the archive is off), and is
 * killed; then every job's status is set to its phase in the mix, with half its batches done and two leased at the
 * last checkpoint, and the measured runs recover them.
 *
 * <p>Arguments: the repository root, the control-plane binaries directory, a work directory.
 */
public final class RecoveryBenchmark {

    private static final int JOBS = Integer.getInteger("recovery-benchmark.jobs", 1000);
    private static final int SEEDS = Integer.getInteger("recovery-benchmark.seeds", 10_000);
    private static final String HEAP = System.getProperty("recovery-benchmark.heap", "512m");
    /**
     * Measured starts, each on the same mix of statuses: one start's time varies by a second or two on a 2-core
     * machine, so a comparison wants several.
     */
    private static final int RUNS = Integer.getInteger("recovery-benchmark.runs", 1);
    /** A flight recording of the measured run, for its profile: off by default, since it slows what it measures. */
    private static final boolean PROFILE = Boolean.getBoolean("recovery-benchmark.profile");
    /** More options for the operator's JVM, separated by spaces, to compare settings the chart could give it. */
    private static final List<String> JVM_OPTIONS = options(System.getProperty("recovery-benchmark.jvm-options", ""));
    /** The JDK the operator runs on (its java, jcmd and jfr): this JVM's unless given. */
    private static final Path OPERATOR_JAVA_HOME = Path.of(System.getProperty("recovery-benchmark.java-home",
            System.getProperty("java.home")));
    /**
     * Whether the operator keeps a class-data archive, as the image's entrypoint does by default: the first run writes
     * it, and the measured runs start from it. {@code false} measures starts without one; {@code alternate} measures
     * starts with it and without it in turn (odd runs with), for a comparison that the machine's drift between
     * invocations cannot skew.
     */
    private static final String CLASS_DATA_ARCHIVE = System.getProperty("recovery-benchmark.class-data-archive",
            "true");
    /**
     * Options for the operator's JVM that even runs take instead of {@link #JVM_OPTIONS} when set, to compare two
     * settings by starts taken in turn, as {@code alternate} does for the archive.
     */
    private static final Optional<List<String>> ALTERNATE_JVM_OPTIONS = Optional.ofNullable(
            System.getProperty("recovery-benchmark.alternate-jvm-options")).filter(options -> !options.isBlank())
            .map(RecoveryBenchmark::options);
    private static final String NAMESPACE = "bench";
    private static final String TOKEN = "recovery-benchmark-admin-token";
    private static final CrawlJobPhase[] MIX = {CrawlJobPhase.Running, CrawlJobPhase.Suspended,
        CrawlJobPhase.Completing, CrawlJobPhase.Succeeded, CrawlJobPhase.Failed, CrawlJobPhase.Pending};
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final Path repository;
    private final Path binaries;
    private final Path work;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private int apiServerPort;

    private RecoveryBenchmark(Path repository, Path binaries, Path work) {
        this.repository = repository;
        this.binaries = binaries;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        RecoveryBenchmark benchmark = new RecoveryBenchmark(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        int status = 1;
        try {
            benchmark.run();
            status = 0;
        } catch (Exception | Error failed) {
            // Printed here: System.exit below would end the JVM before an uncaught exception is printed.
            failed.printStackTrace();
        } finally {
            benchmark.stopAll();
            // The API clients' event-loop threads would keep the JVM alive.
            System.exit(status);
        }
    }

    private void run() throws Exception {
        List<String> seeds = IntStream.range(0, SEEDS)
                .mapToObj(i -> "http://site-" + (i % 100) + ".test/page/" + i).toList();
        frontierFootprint(seeds);
        startControlPlane();
        FrontierLayout layout = FrontierLayout.of(SeedList.parse(seeds), Partitioning.Host, 16, 1);
        try (KubernetesClient client = client()) {
            long setUp = System.nanoTime();
            createJobs(client, seeds);
            System.out.printf("set-up: %d CrawlJobs of %d seeds (one ConfigMap of %d KiB) in %.1f s%n", JOBS, SEEDS,
                    String.join("\n", seeds).length() / 1024, (System.nanoTime() - setUp) / 1e9);

            Path dataDir = work.resolve("operator-data");
            Operator first = startOperator(dataDir, "first", !CLASS_DATA_ARCHIVE.equals("false"), JVM_OPTIONS);
            first.awaitReady(Duration.ofMinutes(10));
            // New jobs do not hold readiness back: their children come with their reconciles, after it.
            Awaitility.await("every job's worker Job").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().size() == JOBS);
            System.out.printf("first operator run (creates the jobs' children): ready after %.1f s, every worker "
                    + "Job created after %.1f s%n", first.readySeconds(), first.secondsSinceLaunch());
            if (!CLASS_DATA_ARCHIVE.equals("false")) {
                // The operator writes it a minute after its recovery, as in a pod.
                Awaitility.await("the class-data archive").atMost(Duration.ofMinutes(5))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> archiveBytes() > 0);
                System.out.printf("class-data archive written by the first run %.1f s after its launch: %d MiB%n",
                        first.secondsSinceLaunch(), archiveBytes() / (1024 * 1024));
            }
            // Killed, as a crash ends it: the archive is already on the volume.
            first.process.destroyForcibly().waitFor();

            long statuses = System.nanoTime();
            setStatuses(client, layout);
            System.out.printf("statuses set to the mix in %.1f s%n", (System.nanoTime() - statuses) / 1e9);
        }

        Map<String, List<Double>> readySeconds = new TreeMap<>();
        for (int run = 1; run <= RUNS; run++) {
            if (run > 1) {
                // The previous run finished the Completing jobs and released the leases: the same mix again.
                try (KubernetesClient client = client()) {
                    setStatuses(client, layout);
                }
            }
            boolean archive = CLASS_DATA_ARCHIVE.equals("alternate") ? run % 2 == 1
                    : !CLASS_DATA_ARCHIVE.equals("false");
            List<String> jvmOptions = run % 2 == 0 ? ALTERNATE_JVM_OPTIONS.orElse(JVM_OPTIONS) : JVM_OPTIONS;
            String setting = (archive ? "with" : "without") + " the class-data archive"
                    + (jvmOptions.isEmpty() ? "" : ", " + String.join(" ", jvmOptions));
            readySeconds.computeIfAbsent(setting, any -> new ArrayList<>())
                    .add(measure(RUNS == 1 ? "measured" : "measured-" + run, archive, jvmOptions));
        }
        if (RUNS > 1) {
            readySeconds.forEach((setting, seconds) -> {
                List<Double> sorted = seconds.stream().sorted().toList();
                System.out.printf("==== launch to ready %s over %d runs: %s; median %.2f s (target < 10 s)%n",
                        setting, seconds.size(), seconds.stream().map(each -> String.format("%.2f s", each))
                                .toList(), sorted.get(sorted.size() / 2));
            });
        }
    }

    /** One operator start on the jobs as they are, from its launch to its readiness; prints its figures. */
    private double measure(String name, boolean archive, List<String> jvmOptions) throws Exception {
        awaitQuietMachine();
        System.out.println("load average before the measured run: " + Files.readString(Path.of("/proc/loadavg"))
                .trim());
        Map<CrawlJobPhase, JsonNode> before;
        try (KubernetesClient client = client()) {
            before = statusByPhase(client);
        }
        double controlPlaneCpuBefore = processes.stream().mapToDouble(RecoveryBenchmark::cpuSeconds).sum();
        Operator measured = startOperator(work.resolve("operator-data"), name, archive, jvmOptions);
        measured.awaitReady(Duration.ofMinutes(10));
        // Scraped first: the reconciles the gate's opening asks for follow at once.
        String metrics = measured.get("/q/metrics");
        double operatorCpu = cpuSeconds(measured.process);
        double controlPlaneCpu = processes.stream().filter(p -> p != measured.process)
                .mapToDouble(RecoveryBenchmark::cpuSeconds).sum() - controlPlaneCpuBefore;
        try (KubernetesClient client = client()) {
            Map<CrawlJobPhase, JsonNode> after = statusByPhase(client);
            System.out.println("the measured operator's milestones (its log's clock):");
            Files.readAllLines(work.resolve("logs/operator-" + name + ".log")).stream()
                    .filter(line -> !line.contains("SRHCK") && (line.contains("started in")
                            || line.contains("Recovery")
                            || line.contains("Operator SDK") || line.contains("Informer") && line.contains("synced")))
                    .forEach(line -> System.out.println("  " + line.substring(0, Math.min(line.length(), 220))));
            System.out.println("status fields the recovery rewrote, in the first job of each phase:");
            before.forEach((phase, status) -> System.out.printf("  %-10s %s%n", phase,
                    changedFields(status, after.get(phase), "")));
        }

        Heap heap = measured.heap();
        System.out.println("==== recovery of " + JOBS + " CrawlJobs of " + SEEDS + " batches each, -Xmx" + HEAP);
        System.out.printf("process launch to ready (gate open):   %.2f s (target < 10 s)%n", measured.readySeconds());
        metrics.lines().filter(l -> l.startsWith("kubecrawl_recovery_") || l.startsWith("kubecrawl_status_updates_total")
                || l.startsWith("kubecrawl_reconcile_duration_seconds_count")
                || l.startsWith("kubecrawl_events")).forEach(l -> System.out.println("  " + l));
        System.out.printf("CPU until ready: the operator %.1f s, etcd and kube-apiserver %.1f s%n", operatorCpu,
                controlPlaneCpu);

        System.out.printf("peak heap in use (before a GC):        %d MiB (target < 512 MiB)%n", heap.peakBefore());
        System.out.printf("most heap left after a GC:             %d MiB%n", heap.peakAfter());
        System.out.printf("live heap after a full GC, recovered:  %d MiB%n", heap.live());
        System.out.printf("GC pauses until ready: %d, %.0f ms in all%n", heap.collections(), heap.pauseMillis());
        if (PROFILE) {
            measured.printProfile();
        }
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
        measured.process.destroyForcibly().waitFor();
        return measured.readySeconds();
    }

    /** The status of the first job of each phase in the mix, as JSON. */
    private static Map<CrawlJobPhase, JsonNode> statusByPhase(
            KubernetesClient client) {
        Map<CrawlJobPhase, JsonNode> statuses = new EnumMap<>(
                CrawlJobPhase.class);
        for (int i = 0; i < Math.min(MIX.length, JOBS); i++) {
            CrawlJob crawlJob = client.resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name(i)).get();
            statuses.put(MIX[i], client.getKubernetesSerialization().convertValue(crawlJob.getStatus(),
                    JsonNode.class));
        }
        return statuses;
    }

    /** The paths of the fields that differ, with the new value of leaves. */
    private static List<String> changedFields(JsonNode before,
            JsonNode after, String path) {
        if (Objects.equals(before, after)) {
            return List.of();
        }
        if (before == null || after == null || !before.isContainerNode() || !after.isContainerNode()) {
            return List.of(path + "=" + after);
        }
        List<String> changed = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        if (before.isArray()) {
            for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
                changed.addAll(changedFields(before.get(i), after.get(i), path + "[" + i + "]"));
            }
            return changed;
        }
        before.fieldNames().forEachRemaining(names::add);
        after.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            changed.addAll(changedFields(before.get(name), after.get(name), path + "." + name));
        }
        return changed;
    }

    /**
     * What one job's frontier holds, measured in this JVM: {@code COPIES} of each thing kept at once, the heap in use
     * after full collections before and after, divided.
     */
    private static void frontierFootprint(List<String> seeds) {
        final int copies = 50;
        List<Object> kept = new ArrayList<>();
        long base = usedAfterGc();
        for (int i = 0; i < copies; i++) {
            kept.add(SeedList.parse(seeds.stream().map(String::new).toList()));
        }
        long asObjects = (usedAfterGc() - base) / copies;
        kept.clear();
        base = usedAfterGc();
        for (int i = 0; i < copies; i++) {
            kept.add(FrontierLayout.of(SeedList.parse(seeds), Partitioning.Host, 16, 1));
        }
        long layoutBytes = (usedAfterGc() - base) / copies;
        FrontierLayout layout = (FrontierLayout) kept.get(0);
        kept.clear();
        kept.add(layout);
        List<SlotProgress> half = new ArrayList<>();
        for (int slot = 0; slot < layout.slots(); slot++) {
            SlotProgress progress = new SlotProgress();
            progress.setSlot(slot);
            progress.setWatermark(layout.batchCount(slot) / 2);
            half.add(progress);
        }
        FrontierSettings settings = new FrontierSettings(2, Duration.ofMinutes(2), 3, Duration.ofSeconds(2));
        base = usedAfterGc();
        for (int i = 0; i < copies; i++) {
            kept.add(Frontier.restore(layout, settings, half, layout.seedsDigest()));
        }
        long stateBytes = (usedAfterGc() - base) / copies;
        System.out.printf("frontier of a job of %d batches of one seed: its layout %d KiB (the seeds as request "
                + "objects would be %d KiB), its state %d KiB (half its batches done)%n", SEEDS, layoutBytes / 1024,
                asObjects / 1024, stateBytes / 1024);
        kept.clear();
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private void createJobs(KubernetesClient client, List<String> seeds) throws Exception {
        for (String file : List.of("crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml")) {
            try (InputStream yaml = getClass().getClassLoader().getResourceAsStream("META-INF/fabric8/" + file)) {
                client.apiextensions().v1().customResourceDefinitions().resource(client.getKubernetesSerialization()
                        .unmarshal(yaml, CustomResourceDefinition.class)).create();
            }
        }
        await("the CRDs served", () -> {
            client.resources(CrawlJob.class).inNamespace("default").list();
            return true;
        });
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).create();
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("seeds").build())
                .withData(Map.of("seeds.txt", String.join("\n", seeds))).build()).create();
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("code").build())
                .withData(Map.of("quotes.py", "import scrapy\n")).build()).create();
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName("quotes").withNamespace(NAMESPACE).build());
        SpiderSpec spiderSpec = new SpiderSpec();
        SpiderRuntime runtime = new SpiderRuntime();
        runtime.setImage("example.test/quotes-spider:1.0");
        runtime.setCommand(List.of("scrapy", "crawl", "quotes"));
        spiderSpec.setRuntime(runtime);
        SpiderSource source = new SpiderSource();
        ConfigMapSource code = new ConfigMapSource();
        code.setName("code");
        source.setConfigMap(code);
        spiderSpec.setSource(source);
        spider.setSpec(spiderSpec);
        client.resource(spider).create();
        parallel(JOBS, i -> {
            CrawlJob crawlJob = new CrawlJob();
            crawlJob.setMetadata(new ObjectMetaBuilder().withName(name(i)).withNamespace(NAMESPACE).build());
            CrawlJobSpec spec = new CrawlJobSpec();
            spec.setSpiderRef(new SpiderReference("quotes"));
            spec.setWorkers(2);
            spec.setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "seeds.txt")));
            FrontierSpec frontier = new FrontierSpec();
            frontier.setBatchSize(1);
            spec.setFrontier(frontier);
            crawlJob.setSpec(spec);
            client.resource(crawlJob).create();
        });
    }

    /**
     * Each job's status as the operator wrote it at its last checkpoint in its phase of the mix (conditions and
     * worker counts through the operator's own {@code CrawlJobStatusBuilder}): half its batches done and two leased
     * when Running or Suspended, all done when Completing or finished. A Suspended job's spec says so, and its worker
     * Job is suspended, as the operator would have made it.
     */
    private void setStatuses(KubernetesClient client, FrontierLayout layout) throws Exception {
        parallel(JOBS, i -> {
            CrawlJobPhase phase = MIX[i % MIX.length];
            String workerJob = ChildNames.workerJob(name(i));
            if (phase == CrawlJobPhase.Suspended) {
                client.resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name(i)).edit(job -> {
                    job.getSpec().setSuspend(true);
                    return job;
                });
                client.batch().v1().jobs().inNamespace(NAMESPACE).withName(workerJob)
                        .edit(job -> new JobBuilder(job).editSpec()
                                .withSuspend(true).endSpec().build());
            }
            if (phase == CrawlJobPhase.Running) {
                // What the Job controller reports of a live crawl's two workers; with no controller manager here,
                // nothing else writes it. Without it every Running job would look as if its workers were starting.
                client.batch().v1().jobs().inNamespace(NAMESPACE).withName(workerJob).editStatus(job -> {
                    // A started Job's startTime may not change: a second measured run keeps the first one's.
                    String started = job.getStatus() == null || job.getStatus().getStartTime() == null
                            ? Instant.now().toString() : job.getStatus().getStartTime();
                    job.setStatus(new JobStatusBuilder()
                            .withActive(2).withReady(2).withStartTime(started)
                            .build());
                    return job;
                });
            }
            CrawlJob crawlJob = client.resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name(i)).get();
            CrawlJobStatusBuilder builder =
                    new CrawlJobStatusBuilder(crawlJob, Instant.now());
            switch (phase) {
                case Running -> builder.workers(new WorkersStatus(2, 2, 2, 0, 0))
                        .phase(phase, CrawlJobReasons.CRAWLING, "2 workers running");
                case Suspended -> builder.workers(new WorkersStatus(0, 0, 0, 0, 0))
                        .phase(phase, CrawlJobReasons.SUSPENDED_BY_SPEC,
                                "spec.suspend is true; the workers are stopped until it is set to false");
                case Completing -> builder.workers(new WorkersStatus(0, 0, 0, 0, 0))
                        .phase(phase, CrawlJobReasons.FRONTIER_DRAINED,
                                "every batch is finished; finalising the items and logs");
                case Succeeded -> builder.workers(new WorkersStatus(0, 0, 0, 0, 0))
                        .completionTimeIfUnset(Instant.now())
                        .phase(phase, CrawlJobReasons.CRAWL_COMPLETED,
                                "every batch is finished and the items are final: 0 items");
                case Failed -> builder.workers(new WorkersStatus(0, 0, 0, 0, 0))
                        .completionTimeIfUnset(Instant.now())
                        .phase(phase, CrawlJobReasons.WORKERS_FAILED,
                                "worker Job " + workerJob + " failed (BackoffLimitExceeded)");
                case Pending -> builder.phase(phase, CrawlJobReasons.WORKERS_STARTING,
                        "waiting for worker pods of Job " + workerJob + " to sync their bundle and start");
            }
            CrawlJobStatus status = builder.build();
            // Host partitioning (the default) into 16 slots: none, half or all of each slot's batches done.
            boolean allDone = phase == CrawlJobPhase.Completing || phase.isFinished();
            List<SlotProgress> slots = new ArrayList<>();
            int done = 0;
            for (int slot = 0; slot < layout.slots(); slot++) {
                int watermark = phase == CrawlJobPhase.Pending ? 0
                        : allDone ? layout.batchCount(slot) : layout.batchCount(slot) / 2;
                done += watermark;
                if (watermark > 0) {
                    SlotProgress progress = new SlotProgress();
                    progress.setSlot(slot);
                    progress.setWatermark(watermark);
                    slots.add(progress);
                }
            }
            status.setSeedsDigest(layout.seedsDigest());
            status.setSlots(slots.isEmpty() ? null : slots);
            status.setBatches(new BatchCounters(SEEDS, done, 0, phase == CrawlJobPhase.Running ? 2 : 0));
            status.setProgress(done + "/" + SEEDS);
            status.setItems(0L);
            crawlJob.setStatus(status);
            client.resource(crawlJob).updateStatus();
        });
    }

    /**
     * Until the one-minute load average, raised by the set-up's thousands of writes, is below 1.5 (at most two
     * minutes): the measured run should compete with nothing but the control plane.
     */
    private static void awaitQuietMachine() {
        try {
            Awaitility.await("a quiet machine").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]) < 1.5);
        } catch (ConditionTimeoutException busy) {
            System.out.println("the machine is still busy after two minutes: the figures below are measured on it");
        }
    }

    /** User and system CPU a live process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
    private static double cpuSeconds(Process process) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: utime is the 14th field.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static String name(int i) {
        return String.format("crawl-%04d", i);
    }

    // --- the control plane -------------------------------------------------------------------------------------------

    private void startControlPlane() throws Exception {
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("tokens.csv"), TOKEN + ",admin,admin,\"system:masters\"\n");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        Files.writeString(work.resolve("sa.key"), "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64,
                "\n".getBytes()).encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        int etcdPort = freePort();
        int peerPort = freePort();
        apiServerPort = freePort();
        String etcdUrl = "http://127.0.0.1:" + etcdPort;
        start("etcd", List.of(binaries.resolve("etcd").toString(), "--name", "bench",
                "--data-dir", work.resolve("etcd").toString(), "--listen-client-urls", etcdUrl,
                "--advertise-client-urls", etcdUrl, "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "bench=http://127.0.0.1:" + peerPort, "--unsafe-no-fsync",
                "--quota-backend-bytes", String.valueOf(8L << 30)), Map.of());
        start("kube-apiserver", List.of(binaries.resolve("kube-apiserver").toString(), "--etcd-servers", etcdUrl,
                "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
                "--secure-port", String.valueOf(apiServerPort),
                "--cert-dir", work.resolve("apiserver-certificates").toString(),
                "--token-auth-file", work.resolve("tokens.csv").toString(), "--authorization-mode", "RBAC",
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", work.resolve("sa.key").toString(),
                "--service-account-signing-key-file", work.resolve("sa.key").toString(),
                "--service-cluster-ip-range", "10.96.0.0/24", "--endpoint-reconciler-type", "none"), Map.of());
        await("kube-apiserver's certificate", () -> Files.exists(caFile()));
        try (KubernetesClient client = client()) {
            await("kube-apiserver ready", () -> "ok".equals(client.raw("/readyz")));
        }
    }

    private Path caFile() {
        return work.resolve("apiserver-certificates/apiserver.crt");
    }

    private KubernetesClient client() {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + apiServerPort)
                .withCaCertFile(caFile().toString()).withOauthToken(TOKEN).withMaxConcurrentRequests(64)
                .withMaxConcurrentRequestsPerHost(64).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    // --- the operator ------------------------------------------------------------------------------------------------

    /**
     * Starts the operator as its image does, through the image's entrypoint, so that the class-data archive is kept
     * and used as in a pod; the JVM flags and the Quarkus settings go through JAVA_OPTS.
     */
    private Operator startOperator(Path dataDir, String name, boolean archive, List<String> jvmOptions)
            throws Exception {
        int httpPort = freePort();
        int grpcPort = freePort();
        Path gcLog = work.resolve("logs/" + name + "-gc.log");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + HEAP, "-Xlog:gc:file=" + gcLog));
        if (PROFILE) {
            jvm.add("-XX:StartFlightRecording=name=recovery,settings=profile");
        }
        jvm.addAll(jvmOptions);
        jvm.addAll(List.of("-Dquarkus.http.port=" + httpPort, "-Dquarkus.grpc.server.port=" + grpcPort,
                "-Dquarkus.kubernetes-client.api-server-url=https://127.0.0.1:" + apiServerPort,
                "-Dquarkus.kubernetes-client.token=" + TOKEN,
                "-Dquarkus.kubernetes-client.ca-cert-file=" + caFile(),
                "-Dkubecrawl.data-dir=" + dataDir));
        Map<String, String> env = Map.of("JAVA_HOME", OPERATOR_JAVA_HOME.toString(),
                "KUBECRAWL_APP_DIR", repository.resolve("operator/target/quarkus-app").toString(),
                "KUBECRAWL_CLASS_DATA_ARCHIVE", archive ? archiveDir().toString() : "",
                "JAVA_OPTS", String.join(" ", jvm));
        System.out.printf("operator run %s launched at %s%n", name, LocalTime.now());
        long launched = System.nanoTime();
        // The entrypoint execs java: the process is the JVM.
        Process process = start("operator-" + name,
                List.of("sh", repository.resolve("operator/src/main/sh/kubecrawl-operator").toString()), env);
        return new Operator(process, httpPort, launched, gcLog);
    }

    private Path archiveDir() {
        return work.resolve("class-data");
    }

    private long archiveBytes() throws IOException {
        if (!Files.isDirectory(archiveDir())) {
            return 0;
        }
        try (Stream<Path> files = Files.list(archiveDir())) {
            return files.filter(file -> file.getFileName().toString().matches("operator-\\d+\\.(jsa|aot)"))
                    .mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private final class Operator {
        final Process process;
        final int httpPort;
        final long launched;
        final Path gcLog;
        long ready;

        Operator(Process process, int httpPort, long launched, Path gcLog) {
            this.process = process;
            this.httpPort = httpPort;
            this.launched = launched;
            this.gcLog = gcLog;
        }

        void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the operator exited with " + process.exitValue()
                            + "; see " + work.resolve("logs"));
                }
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        ready = System.nanoTime();
                        return;
                    }
                } catch (IOException notListening) {
                    // not yet
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            throw new IllegalStateException("the operator was not ready within " + timeout);
        }

        double readySeconds() {
            return (ready - launched) / 1e9;
        }

        double secondsSinceLaunch() {
            return (System.nanoTime() - launched) / 1e9;
        }

        String get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        /**
         * Where the operator's threads were, from its flight recording up to now: the methods most often on top of
         * a sampled stack, and the first method of the operator's own on it (what it was doing that for).
         */
        void printProfile() throws Exception {
            Path recording = work.resolve("logs/" + gcLog.getFileName() + ".jfr");
            String bin = OPERATOR_JAVA_HOME.resolve("bin").toString();
            run(List.of(bin + "/jcmd", String.valueOf(process.pid()), "JFR.dump", "name=recovery",
                    "filename=" + recording));
            Map<String, Integer> leaves = new HashMap<>();
            Map<String, Integer> ours = new HashMap<>();
            Map<String, Integer> inclusive = new HashMap<>();
            Map<String, Integer> threads = new HashMap<>();
            int samples = 0;
            List<String> lines = run(List.of(bin + "/jfr", "print", "--events", "jdk.ExecutionSample",
                    "--stack-depth", "128", recording.toString())).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).trim().startsWith("stackTrace = [")) {
                    continue;
                }
                samples++;
                leaves.merge(frame(lines.get(i + 1)), 1, Integer::sum);
                for (int back = Math.max(0, i - 3); back < i; back++) {
                    if (!lines.get(back).contains("sampledThread")) {
                        continue;
                    }
                    // A pool's threads count as one: "ReconcilerExecutor-crawljob-12" as "ReconcilerExecutor-crawljob".
                    threads.merge(lines.get(back).replaceAll(".*sampledThread = \"([^\"]*)\".*", "$1")
                            .replaceAll("[-#]?\\d+", ""), 1, Integer::sum);
                }
                Set<String> seen = new HashSet<>();
                for (int j = i + 1; j < lines.size() && !lines.get(j).trim().startsWith("]"); j++) {
                    String frame = frame(lines.get(j));
                    if (frame.matches("(io\\.kubecrawl|io\\.javaoperatorsdk|io\\.fabric8|io\\.grpc|org\\.rocksdb"
                            + "|io\\.quarkus|com\\.fasterxml)\\..*") && seen.add(frame)) {
                        inclusive.merge(frame, 1, Integer::sum);
                    }
                }
                for (int j = i + 1; j < lines.size() && !lines.get(j).trim().startsWith("]"); j++) {
                    if (lines.get(j).trim().startsWith("io.kubecrawl.")) {
                        ours.merge(frame(lines.get(j)), 1, Integer::sum);
                        break;
                    }
                }
            }
            System.out.println("CPU samples of the operator until ready: " + samples + "; on top of the stack:");
            print(leaves, samples);
            System.out.println("the operator's own method nearest the top:");
            print(ours, samples);
            System.out.println("on the stack anywhere (the operator's and its libraries' methods):");
            print(inclusive, samples, 40);
            System.out.println("by thread:");
            print(threads, samples);
        }

        private static String frame(String line) {
            return line.trim().replaceAll("\\s+line:.*$", "");
        }

        private static void print(Map<String, Integer> counts, int samples) {
            print(counts, samples, 12);
        }

        private static void print(Map<String, Integer> counts, int samples, int limit) {
            counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                    .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey()));
        }

        private static String run(List<String> command) throws Exception {
            Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            tool.waitFor();
            return output;
        }

        /** From the GC log up to now, then a full collection for the live set. */
        Heap heap() throws Exception {
            int before = 0;
            int after = 0;
            int collections = 0;
            double pauses = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find() && line.contains("Pause")) {
                    collections++;
                    before = Math.max(before, Integer.parseInt(m.group(1)));
                    after = Math.max(after, Integer.parseInt(m.group(2)));
                    Matcher ms = Pattern.compile("([0-9.]+)ms").matcher(line);
                    if (ms.find()) {
                        pauses += Double.parseDouble(ms.group(1));
                    }
                }
            }
            Process gc = new ProcessBuilder(OPERATOR_JAVA_HOME.resolve("bin/jcmd").toString(),
                    String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor();
            int live = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find() && line.contains("Pause Full")) {
                    live = Integer.parseInt(m.group(2));
                }
            }
            return new Heap(before, after, live, collections, pauses);
        }
    }

    private record Heap(int peakBefore, int peakAfter, int live, int collections, double pauseMillis) {
    }

    // --- plumbing ----------------------------------------------------------------------------------------------------

    private Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("logs/" + name + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroyForcibly();
        }
    }

    @FunctionalInterface
    private interface Step {
        void run(int i) throws Exception;
    }

    private static void parallel(int count, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    step.run(index);
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean done() throws Exception;
    }

    /** JVM options given as one string, separated by spaces. */
    private static List<String> options(String options) {
        return Arrays.stream(options.split(" ")).filter(option -> !option.isBlank()).toList();
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("timed out waiting for " + what, last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
