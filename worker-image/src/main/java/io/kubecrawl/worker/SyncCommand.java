package io.kubecrawl.worker;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.kubecrawl.protocol.WorkerEnvironment;
import io.kubecrawl.worker.sync.BundleClient;
import io.kubecrawl.worker.sync.BundleSyncer;
import io.kubecrawl.worker.sync.SyncFailedException;
import io.kubecrawl.worker.sync.SyncSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kubecrawl-worker sync}: mirrors the spider bundle from the operator into the pod's volume. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Mirrors the spider bundle from the operator into the target directory: downloads missing or "
                + "changed files, deletes files the bundle no longer has, writes a completion marker last.",
                "Runs as the worker pod's init container, so the spider never starts on half a bundle."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.DONE_HELP, ExitCodes.USAGE_HELP, ExitCodes.CANNOT_COMPLETE_HELP})
public final class SyncCommand implements Callable<Integer> {

    @ParentCommand
    private KubecrawlWorker agent;

    @Spec
    private CommandSpec command;

    @Mixin
    private ConnectionOptions connectionOptions;

    @Option(names = "--bundle", paramLabel = "<sha256:hex>",
            defaultValue = "${env:" + WorkerEnvironment.BUNDLE_DIGEST + "}",
            description = "Digest of the bundle to mirror, sha256:<64 hex digits>. Env: "
                    + WorkerEnvironment.BUNDLE_DIGEST + ".")
    private String bundle;

    @Option(names = "--target", paramLabel = "<dir>",
            defaultValue = "${env:" + WorkerEnvironment.WORKSPACE + ":-/workspace}",
            description = "Directory that receives the bundle. Env: " + WorkerEnvironment.WORKSPACE
                    + ". Default: /workspace.")
    private String target;

    @Option(names = "--parallelism", paramLabel = "<n>", defaultValue = "4",
            description = "Files downloaded at once. Default: 4.")
    private int parallelism;

    @Option(names = "--max-attempts", paramLabel = "<n>", defaultValue = "8",
            description = "Attempts per file before the sync gives up. Default: 8.")
    private int maxAttempts;

    // Hidden: the defaults suit a pod; tests shorten them so that a file failing eight times fails in milliseconds.
    @Option(names = "--retry-delay-ms", hidden = true, defaultValue = "250",
            description = "First backoff delay in milliseconds; each further one doubles, with jitter.")
    private long retryDelayMillis;

    @Option(names = "--retry-max-delay-ms", hidden = true, defaultValue = "15000",
            description = "Longest backoff delay in milliseconds.")
    private long retryMaxDelayMillis;

    /** Everything a sync needs, validated. */
    public record Settings(Connection connection, BundleDigest bundle, Path target, int parallelism, int maxAttempts) {
    }

    /**
     * Mirrors the bundle. Exit code 0 when the whole bundle is in place and the completion marker written; 3 with a
     * one-line reason on stderr when it cannot be (the marker is then absent).
     */
    @Override
    public Integer call() throws InterruptedException {
        Settings settings = validate();
        SyncSettings syncSettings = new SyncSettings(settings.bundle(), settings.target(), settings.parallelism(),
                settings.maxAttempts(), Duration.ofMillis(retryDelayMillis), Duration.ofMillis(retryMaxDelayMillis),
                SyncSettings.DEFAULT_CALL_TIMEOUT, SyncSettings.DEFAULT_IDLE_TIMEOUT);
        PrintWriter err = command.commandLine().getErr();
        String prefix = command.qualifiedName() + ": ";
        try (BundleClient client = BundleClient.connect(settings.connection(), syncSettings)) {
            new BundleSyncer(client, syncSettings, err, prefix).sync();
            return ExitCodes.DONE;
        } catch (SyncFailedException failed) {
            err.println(prefix + OneLine.of(failed.getMessage()));
            return ExitCodes.CANNOT_COMPLETE;
        } finally {
            err.flush();
        }
    }

    /** @throws picocli.CommandLine.ParameterException naming the first option that is missing or malformed */
    Settings validate() {
        Connection connection = connectionOptions.validate(agent.environment());
        String digest = UsageErrors.require(command, "--bundle", WorkerEnvironment.BUNDLE_DIGEST, bundle);
        BundleDigest bundleDigest;
        try {
            bundleDigest = new BundleDigest(digest);
        } catch (IllegalArgumentException malformed) {
            throw UsageErrors.invalid(command, "--bundle", digest, malformed.getMessage());
        }
        Path targetDirectory = Path.of(UsageErrors.require(command, "--target", WorkerEnvironment.WORKSPACE, target));
        UsageErrors.requirePositive(command, "--parallelism", parallelism);
        UsageErrors.requirePositive(command, "--max-attempts", maxAttempts);
        UsageErrors.requirePositive(command, "--retry-delay-ms", retryDelayMillis);
        UsageErrors.requirePositive(command, "--retry-max-delay-ms", retryMaxDelayMillis);
        return new Settings(connection, bundleDigest, targetDirectory, parallelism, maxAttempts);
    }

}
