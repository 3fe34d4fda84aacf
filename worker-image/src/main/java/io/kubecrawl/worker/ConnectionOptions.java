package io.kubecrawl.worker;

import java.io.IOException;
import java.util.Map;

import io.kubecrawl.protocol.CrawlJobName;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options sync and run share: where the operator is and which job and worker this is. Each falls back to an
 * environment variable, which is how the worker Job's pod template sets them. The token has no option of its own:
 * see {@link TokenSource}.
 */
public final class ConnectionOptions {
    public static final String OPERATOR_ADDRESS_ENV = "KUBECRAWL_OPERATOR_ADDRESS";
    public static final String NAMESPACE_ENV = "KUBECRAWL_NAMESPACE";
    public static final String JOB_ENV = "KUBECRAWL_JOB";
    public static final String WORKER_ENV = "KUBECRAWL_WORKER";
    public static final String TOKEN_FILE_ENV = "KUBECRAWL_TOKEN_FILE";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--operator", paramLabel = "<host:port>", defaultValue = "${env:" + OPERATOR_ADDRESS_ENV + "}",
            description = "The operator's gRPC endpoint. Env: " + OPERATOR_ADDRESS_ENV + ".")
    private String operatorAddress;

    @Option(names = "--namespace", paramLabel = "<namespace>", defaultValue = "${env:" + NAMESPACE_ENV + "}",
            description = "Namespace of the CrawlJob. Env: " + NAMESPACE_ENV + ".")
    private String namespace;

    @Option(names = "--job", paramLabel = "<crawljob>", defaultValue = "${env:" + JOB_ENV + "}",
            description = "Name of the CrawlJob this worker belongs to. Env: " + JOB_ENV + ".")
    private String job;

    @Option(names = "--worker", paramLabel = "<pod>", defaultValue = "${env:" + WORKER_ENV + "}",
            description = "This worker's name, its pod name. Env: " + WORKER_ENV + ".")
    private String worker;

    @Option(names = "--token-file", paramLabel = "<file>", defaultValue = "${env:" + TOKEN_FILE_ENV + "}",
            description = {"File holding the job's worker token. Env: " + TOKEN_FILE_ENV + ".",
                    "Without it the token is read from the environment variable " + TokenSource.TOKEN_ENV
                            + "; it is never taken from the command line."})
    private String tokenFile;

    /**
     * Checks every value and reads the token once, so that a pod with a bad template fails at start with a usage
     * error rather than at its first call to the operator.
     *
     * @throws ParameterException naming the first option that is missing or malformed
     */
    public Connection validate(Map<String, String> environment) {
        String address = UsageErrors.require(command, "--operator", OPERATOR_ADDRESS_ENV, operatorAddress);
        OperatorAddress operator;
        try {
            operator = OperatorAddress.parse(address);
        } catch (IllegalArgumentException malformed) {
            throw UsageErrors.invalid(command, "--operator", address, malformed.getMessage());
        }
        String validNamespace = UsageErrors.require(command, "--namespace", NAMESPACE_ENV, namespace);
        String validJob = UsageErrors.require(command, "--job", JOB_ENV, job);
        try {
            new CrawlJobName(validNamespace, "x");
        } catch (IllegalArgumentException malformed) {
            throw UsageErrors.invalid(command, "--namespace", validNamespace, "not a Kubernetes namespace name");
        }
        try {
            new CrawlJobName("x", validJob);
        } catch (IllegalArgumentException malformed) {
            throw UsageErrors.invalid(command, "--job", validJob, "not a Kubernetes object name");
        }
        String validWorker = UsageErrors.require(command, "--worker", WORKER_ENV, worker);
        TokenSource token = TokenSource.configured(tokenFile, environment).orElseThrow(() -> new ParameterException(
                command.commandLine(), "Missing worker token: pass '--token-file=<file>' or set the environment "
                        + "variable " + TokenSource.TOKEN_ENV));
        try {
            token.read();
        } catch (IOException unreadable) {
            throw UsageErrors.invalid(command, "--token-file", tokenFile, "cannot read the token: " + unreadable);
        }
        return new Connection(operator, validNamespace, validJob, validWorker, token);
    }
}
