package io.kubecrawl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code kubecrawl-worker}: the worker agent that runs in every worker pod of a CrawlJob. */
@Command(name = "kubecrawl-worker", mixinStandardHelpOptions = true, versionProvider = KubecrawlWorker.Version.class,
        description = "The Kubecrawl worker agent: 'sync' mirrors the spider bundle into the pod, 'run' runs the "
                + "spider on batches leased from the operator.",
        subcommands = {SyncCommand.class, RunCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.DONE_HELP, ExitCodes.USAGE_HELP, ExitCodes.CANNOT_COMPLETE_HELP})
public final class KubecrawlWorker implements Callable<Integer> {

    private final Map<String, String> environment;

    @Spec
    private CommandSpec command;

    /** The agent as started in a pod: options fall back to the process's environment. */
    public KubecrawlWorker() {
        this(System.getenv());
    }

    /** The agent with an environment of the caller's choosing, for tests. */
    public KubecrawlWorker(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /**
     * The command line as {@link #main} runs it: option defaults and the token come from {@code environment}, and
     * every error is reported in one line on stderr.
     */
    public static CommandLine commandLine(Map<String, String> environment) {
        CommandLine commandLine = new CommandLine(new KubecrawlWorker(environment));
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
        commandLine.setParameterExceptionHandler(KubecrawlWorker::reportUsageError);
        commandLine.setExecutionExceptionHandler(KubecrawlWorker::reportFailure);
        return commandLine;
    }

    Map<String, String> environment() {
        return environment;
    }

    /** Without a subcommand there is nothing to do: that is a usage error, not success. */
    @Override
    public Integer call() {
        throw new ParameterException(command.commandLine(), "Missing subcommand: sync or run");
    }

    private static int reportUsageError(ParameterException problem, String[] args) {
        CommandLine failed = problem.getCommandLine();
        String name = failed.getCommandSpec().qualifiedName();
        failed.getErr().println(name + ": " + OneLine.of(problem.getMessage()) + " (see '" + name + " --help')");
        return ExitCodes.USAGE;
    }

    private static int reportFailure(Exception failure, CommandLine failed, ParseResult parsed) {
        failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + OneLine.of(failure.toString()));
        return ExitCodes.CANNOT_COMPLETE;
    }

    /** The version Maven filtered into kubecrawl-worker.properties. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = KubecrawlWorker.class.getResourceAsStream("/kubecrawl-worker.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"kubecrawl-worker " + properties.getProperty("version", "unknown")};
        }
    }
}
