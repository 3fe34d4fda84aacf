package io.kubecrawl.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

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

    @ParentCommand
    private KubecrawlWorker agent;

    @Spec
    private CommandSpec command;

    @Mixin
    private ConnectionOptions connectionOptions;

    @Option(names = "--workdir", paramLabel = "<dir>", defaultValue = "${env:" + SyncCommand.WORKSPACE_ENV + ":-/workspace}",
            description = "Directory the spider runs in: where sync put the bundle. Env: " + SyncCommand.WORKSPACE_ENV
                    + ". Default: /workspace.")
    private String workdir;

    @Parameters(arity = "1..*", paramLabel = "<spider-command>",
            description = "The command that runs the spider on one batch, after '--'.")
    private List<String> spiderCommand;

    /** Everything a run needs, validated. */
    public record Settings(Connection connection, Path workdir, List<String> spiderCommand) {
        public Settings {
            spiderCommand = List.copyOf(spiderCommand);
        }
    }

    @Override
    public Integer call() {
        validate();
        return KubecrawlWorker.notImplemented(command);
    }

    /** @throws picocli.CommandLine.ParameterException naming the first option that is missing or malformed */
    Settings validate() {
        Connection connection = connectionOptions.validate(agent.environment());
        Path workDirectory = Path.of(UsageErrors.require(command, "--workdir", SyncCommand.WORKSPACE_ENV, workdir));
        return new Settings(connection, workDirectory, spiderCommand);
    }
}
