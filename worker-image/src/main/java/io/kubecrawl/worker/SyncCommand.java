package io.kubecrawl.worker;

import java.nio.file.Path;
import java.util.concurrent.Callable;

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
    public static final String BUNDLE_DIGEST_ENV = "KUBECRAWL_BUNDLE_DIGEST";
    public static final String WORKSPACE_ENV = "KUBECRAWL_WORKSPACE";

    @ParentCommand
    private KubecrawlWorker agent;

    @Spec
    private CommandSpec command;

    @Mixin
    private ConnectionOptions connectionOptions;

    @Option(names = "--bundle", paramLabel = "<sha256:hex>", defaultValue = "${env:" + BUNDLE_DIGEST_ENV + "}",
            description = "Digest of the bundle to mirror, sha256:<64 hex digits>. Env: " + BUNDLE_DIGEST_ENV + ".")
    private String bundle;

    @Option(names = "--target", paramLabel = "<dir>", defaultValue = "${env:" + WORKSPACE_ENV + ":-/workspace}",
            description = "Directory that receives the bundle. Env: " + WORKSPACE_ENV + ". Default: /workspace.")
    private String target;

    @Option(names = "--parallelism", paramLabel = "<n>", defaultValue = "4",
            description = "Files downloaded at once. Default: 4.")
    private int parallelism;

    @Option(names = "--max-attempts", paramLabel = "<n>", defaultValue = "8",
            description = "Attempts per file before the sync gives up. Default: 8.")
    private int maxAttempts;

    /** Everything a sync needs, validated. */
    public record Settings(Connection connection, BundleDigest bundle, Path target, int parallelism, int maxAttempts) {
    }

    @Override
    public Integer call() {
        validate();
        return KubecrawlWorker.notImplemented(command);
    }

    /** @throws picocli.CommandLine.ParameterException naming the first option that is missing or malformed */
    Settings validate() {
        Connection connection = connectionOptions.validate(agent.environment());
        String digest = UsageErrors.require(command, "--bundle", BUNDLE_DIGEST_ENV, bundle);
        BundleDigest bundleDigest;
        try {
            bundleDigest = new BundleDigest(digest);
        } catch (IllegalArgumentException malformed) {
            throw UsageErrors.invalid(command, "--bundle", digest, malformed.getMessage());
        }
        Path targetDirectory = Path.of(UsageErrors.require(command, "--target", WORKSPACE_ENV, target));
        requirePositive("--parallelism", parallelism);
        requirePositive("--max-attempts", maxAttempts);
        return new Settings(connection, bundleDigest, targetDirectory, parallelism, maxAttempts);
    }

    private void requirePositive(String option, int value) {
        if (value < 1) {
            throw UsageErrors.invalid(command, option, String.valueOf(value), "must be at least 1");
        }
    }
}
