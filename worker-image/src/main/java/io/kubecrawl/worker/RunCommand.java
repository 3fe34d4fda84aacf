package io.kubecrawl.worker;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.WorkerEnvironment;
import io.kubecrawl.worker.run.AgentLog;
import io.kubecrawl.worker.run.BatchLoop;
import io.kubecrawl.worker.run.FrontierCallException;
import io.kubecrawl.worker.run.FrontierClient;
import io.kubecrawl.worker.run.LeaseRenewer;
import io.kubecrawl.worker.run.LogShipper;
import io.kubecrawl.worker.run.RunSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kubecrawl-worker run -- <spider command>}: runs the spider on batches leased from the operator. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Leases batches of requests from the operator, runs the spider command on each in the work "
                + "directory, uploads its items and logs, and exits when the frontier is drained.",
                "Example: kubecrawl-worker run -- scrapy crawl quotes"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.DONE_HELP, ExitCodes.USAGE_HELP, ExitCodes.CANNOT_COMPLETE_HELP})
public final class RunCommand implements Callable<Integer> {
    public static final String SCRATCH_ENV = "KUBECRAWL_SCRATCH";
    public static final String SCRAPY_ENV = "KUBECRAWL_SCRAPY";
    public static final String PYTHON_PATH_ENV = "KUBECRAWL_PYTHON_PATH";
    public static final String MAX_WAIT_ENV = "KUBECRAWL_MAX_WAIT";

    @ParentCommand
    private KubecrawlWorker agent;

    @Spec
    private CommandSpec command;

    @Mixin
    private ConnectionOptions connectionOptions;

    @Option(names = "--workdir", paramLabel = "<dir>",
            defaultValue = "${env:" + WorkerEnvironment.WORKSPACE + ":-/workspace}",
            description = "Directory the spider runs in: where sync put the bundle. Env: " + WorkerEnvironment.WORKSPACE
                    + ". Default: /workspace.")
    private String workdir;

    @Option(names = "--scratch", paramLabel = "<dir>", defaultValue = "${env:" + SCRATCH_ENV + ":-/tmp/kubecrawl}",
            description = "Directory of each batch's requests and items files (never the workspace, which holds the "
                    + "bundle). Env: " + SCRATCH_ENV + ". Default: /tmp/kubecrawl.")
    private String scratch;

    @Option(names = "--scrapy", paramLabel = "<auto|on|off>", defaultValue = "${env:" + SCRAPY_ENV + ":-auto}",
            description = "Run the spider through the Kubecrawl Scrapy helper, which feeds an unmodified Scrapy "
                    + "project the batch's requests and writes its items to the items file. auto: when the command's "
                    + "first word is scrapy. Env: " + SCRAPY_ENV + ". Default: auto.")
    private String scrapy;

    @Option(names = "--python-path", paramLabel = "<dir>",
            defaultValue = "${env:" + PYTHON_PATH_ENV + ":-/opt/kubecrawl/python}",
            description = "Directory holding the Scrapy helper's package kubecrawl_scrapy, put first on PYTHONPATH. "
                    + "Env: " + PYTHON_PATH_ENV + ". Default: /opt/kubecrawl/python.")
    private String pythonPath;

    @Option(names = "--max-wait", paramLabel = "<duration>", defaultValue = "${env:" + MAX_WAIT_ENV + ":-10m}",
            converter = DurationConverter.class,
            description = "How long to keep retrying an operator that does not answer (500ms, 30s, 10m, 2h) before "
                    + "giving up with exit code 3. Env: " + MAX_WAIT_ENV + ". Default: 10m.")
    private Duration maxWait;

    @Option(names = "--discovered", paramLabel = "<Frontier|Local>", defaultValue = "${env:" + DiscoveryMode.ENV + "}",
            description = "Where the requests the spider yields go. Frontier: to the job's frontier, sent with the "
                    + "batch's items (the spider writes them to KUBECRAWL_DISCOVERED_FILE); Local: they stay in the "
                    + "spider's process, part of the batch. The operator sets it. Env: " + DiscoveryMode.ENV
                    + ". Default: Local.")
    private String discovered;

    @Option(names = "--min-host-delay-ms", paramLabel = "<ms>",
            defaultValue = "${env:" + WorkerEnvironment.MIN_HOST_DELAY_MILLIS + ":-0}",
            description = "Least time in milliseconds between the starts of two requests of the spider to one host. "
                    + "The agent passes it to the spider as " + WorkerEnvironment.MIN_HOST_DELAY_MILLIS + "; the "
                    + "Scrapy helper raises the spider's download delay to it (never lowers it). 0: the spider's own "
                    + "setting. The operator sets it from spec.frontier.minHostDelayMillis. Env: "
                    + WorkerEnvironment.MIN_HOST_DELAY_MILLIS + ". Default: 0.")
    private long minHostDelayMillis;

    // Hidden: the defaults suit a pod; tests shorten them.
    @Option(names = "--retry-delay-ms", hidden = true, defaultValue = "500",
            description = "First backoff delay in milliseconds; each further one doubles, with jitter.")
    private long retryDelayMillis;

    @Option(names = "--retry-max-delay-ms", hidden = true, defaultValue = "30000",
            description = "Longest backoff delay in milliseconds.")
    private long retryMaxDelayMillis;

    @Option(names = "--stop-grace-ms", hidden = true, defaultValue = "10000",
            description = "Time a stopped spider has between SIGTERM and SIGKILL, in milliseconds.")
    private long stopGraceMillis;

    @Option(names = "--log-flush-ms", hidden = true, defaultValue = "200",
            description = "Longest time log lines wait to be sent together, in milliseconds.")
    private long logFlushMillis;

    @Option(names = "--log-close-timeout-ms", hidden = true, defaultValue = "5000",
            description = "Time an exiting agent tries to deliver its last log lines, in milliseconds.")
    private long logCloseTimeoutMillis;

    @Parameters(arity = "1..*", paramLabel = "<spider-command>",
            description = "The command that runs the spider on one batch, after '--'.")
    private List<String> spiderCommand;

    /**
     * Runs batches until the frontier is drained (exit code 0), or until the operator refuses this worker or stays
     * unreachable for {@code --max-wait} (3, with a one-line reason on stderr). On SIGTERM the running spider is
     * stopped, its batch is not reported, and the final log message is sent before the JVM exits.
     */
    @Override
    public Integer call() {
        RunSettings settings = validate();
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        String prefix = command.qualifiedName() + ": ";
        LogShipper logs = new LogShipper(settings, problem -> {
            err.println(prefix + problem);
            err.flush();
        });
        AgentLog log = new AgentLog(err, prefix, logs);
        FrontierClient.RetryListener retries = (call, failure, attempt, delay) -> log.info(null, "the operator did "
                + "not answer " + call + " (" + FrontierCallException.describe(failure) + "); attempt " + (attempt + 1)
                + " in " + delay.toMillis() + " ms");
        CountDownLatch finished = new CountDownLatch(1);
        try (FrontierClient frontier = FrontierClient.connect(settings, retries);
                LeaseRenewer renewer = new LeaseRenewer(frontier, log, settings.callTimeout())) {
            logs.start(frontier);
            BatchLoop loop = new BatchLoop(settings, frontier, renewer, logs, log, out, err, System.getenv());
            Thread onSigterm = new Thread(() -> {
                loop.stop();
                awaitQuietly(finished, settings.logCloseTimeout().plusSeconds(5));
            }, "kubecrawl-worker-shutdown");
            Runtime.getRuntime().addShutdownHook(onSigterm);
            try {
                int exitCode = loop.run();
                logs.close();
                if (loop.failure() != null) {
                    err.println(prefix + loop.failure());
                    err.flush();
                }
                return exitCode;
            } finally {
                logs.close();
                finished.countDown();
                removeQuietly(onSigterm);
            }
        }
    }

    /** @throws picocli.CommandLine.ParameterException naming the first option that is missing or malformed */
    RunSettings validate() {
        Connection connection = connectionOptions.validate(agent.environment());
        Path workDirectory = Path.of(UsageErrors.require(command, "--workdir", WorkerEnvironment.WORKSPACE, workdir));
        Path scratchDirectory = Path.of(UsageErrors.require(command, "--scratch", SCRATCH_ENV, scratch));
        Path helperDirectory = Path.of(UsageErrors.require(command, "--python-path", PYTHON_PATH_ENV, pythonPath));
        if (scratchDirectory.toAbsolutePath().normalize().startsWith(workDirectory.toAbsolutePath().normalize())) {
            // A sync deletes what the bundle lacks, and a spider must not find its batch among its own files.
            throw UsageErrors.invalid(command, "--scratch", scratch, "must not be inside the work directory "
                    + workDirectory);
        }
        boolean useScrapy = switch (UsageErrors.require(command, "--scrapy", SCRAPY_ENV, scrapy)
                .toLowerCase(Locale.ROOT)) {
            case "auto" -> RunSettings.looksLikeScrapy(spiderCommand);
            case "on" -> true;
            case "off" -> false;
            default -> throw UsageErrors.invalid(command, "--scrapy", scrapy, "expected auto, on or off");
        };
        DiscoveryMode discoveryMode;
        try {
            discoveryMode = DiscoveryMode.parse(discovered);
        } catch (IllegalArgumentException unknown) {
            throw UsageErrors.invalid(command, "--discovered", discovered, "expected "
                    + DiscoveryMode.FRONTIER.value() + " or " + DiscoveryMode.LOCAL.value());
        }
        if (maxWait.isZero()) {
            throw UsageErrors.invalid(command, "--max-wait", maxWait.toString(), "must be longer than zero");
        }
        if (minHostDelayMillis < 0) {
            throw UsageErrors.invalid(command, "--min-host-delay-ms", Long.toString(minHostDelayMillis),
                    "must not be negative");
        }
        UsageErrors.requirePositive(command, "--retry-delay-ms", retryDelayMillis);
        UsageErrors.requirePositive(command, "--retry-max-delay-ms", retryMaxDelayMillis);
        UsageErrors.requirePositive(command, "--stop-grace-ms", stopGraceMillis);
        UsageErrors.requirePositive(command, "--log-flush-ms", logFlushMillis);
        UsageErrors.requirePositive(command, "--log-close-timeout-ms", logCloseTimeoutMillis);
        Duration retryDelay = Duration.ofMillis(retryDelayMillis);
        // Failsafe's backoff needs a maximum above the first delay.
        Duration retryMaxDelay = Duration.ofMillis(Math.max(retryMaxDelayMillis, retryDelayMillis + 1));
        return new RunSettings(connection, workDirectory, spiderCommand, scratchDirectory, useScrapy,
                helperDirectory, maxWait, retryDelay, retryMaxDelay, Duration.ofMillis(stopGraceMillis),
                RunSettings.DEFAULT_CALL_TIMEOUT, Duration.ofMillis(logFlushMillis),
                Duration.ofMillis(logCloseTimeoutMillis), discoveryMode, Duration.ofMillis(minHostDelayMillis));
    }


    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting (SIGTERM): the hook is running and waits for us.
        }
    }
}
