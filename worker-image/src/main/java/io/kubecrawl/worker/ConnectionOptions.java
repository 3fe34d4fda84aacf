package io.kubecrawl.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.kubecrawl.protocol.CrawlJobName;

import io.kubecrawl.protocol.WorkerEnvironment;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options sync and run share: where the operator is and which job and worker this is. Each falls back to an
 * environment variable, which is how the worker Job's pod template sets them. The token has no option of its own:
 * see {@link TokenSource}. The operator is dialled over TLS, trusting the CA the job's Secret carries; plaintext only
 * with {@code --plaintext}.
 */
public final class ConnectionOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--operator", paramLabel = "<host:port>",
            defaultValue = "${env:" + WorkerEnvironment.OPERATOR_ADDRESS + "}",
            description = "The operator's gRPC endpoint. Env: " + WorkerEnvironment.OPERATOR_ADDRESS + ".")
    private String operatorAddress;

    @Option(names = "--namespace", paramLabel = "<namespace>",
            defaultValue = "${env:" + WorkerEnvironment.NAMESPACE + "}",
            description = "Namespace of the CrawlJob. Env: " + WorkerEnvironment.NAMESPACE + ".")
    private String namespace;

    @Option(names = "--job", paramLabel = "<crawljob>", defaultValue = "${env:" + WorkerEnvironment.JOB + "}",
            description = "Name of the CrawlJob this worker belongs to. Env: " + WorkerEnvironment.JOB + ".")
    private String job;

    @Option(names = "--worker", paramLabel = "<pod>", defaultValue = "${env:" + WorkerEnvironment.WORKER + "}",
            description = "This worker's name, its pod name. Env: " + WorkerEnvironment.WORKER + ".")
    private String worker;

    @Option(names = "--token-file", paramLabel = "<file>", defaultValue = "${env:" + WorkerEnvironment.TOKEN_FILE + "}",
            description = {"File holding the job's worker token. Env: " + WorkerEnvironment.TOKEN_FILE + ".",
                    "Without it the token is read from the environment variable " + WorkerEnvironment.TOKEN
                            + "; it is never taken from the command line."})
    private String tokenFile;

    @Option(names = "--operator-ca-file", paramLabel = "<file>",
            defaultValue = "${env:" + WorkerEnvironment.OPERATOR_CA_FILE + "}",
            description = {"PEM file of the CA that signed the operator's gRPC certificate. Env: "
                    + WorkerEnvironment.OPERATOR_CA_FILE + ".",
                    "Without it the CA is read from the environment variable " + WorkerEnvironment.OPERATOR_CA
                            + " (the job's Secret, key " + WorkerEnvironment.CA_KEY + ")."})
    private String caFile;

    @Option(names = "--plaintext", paramLabel = "<true|false>", arity = "0..1", fallbackValue = "true",
            defaultValue = "${env:" + WorkerEnvironment.OPERATOR_PLAINTEXT + ":-false}",
            description = {"Dial the operator without TLS: only for an operator installed with grpc.plaintext=true. "
                    + "Env: " + WorkerEnvironment.OPERATOR_PLAINTEXT + ".",
                    "The worker token then crosses the network in the clear."})
    private boolean plaintext;

    /**
     * Checks every value and reads the token once, so that a pod with a bad template fails at start with a usage
     * error rather than at its first call to the operator.
     *
     * @throws ParameterException naming the first option that is missing or malformed
     */
    public Connection validate(Map<String, String> environment) {
        String address = UsageErrors.require(command, "--operator", WorkerEnvironment.OPERATOR_ADDRESS,
                operatorAddress);
        OperatorAddress operator;
        try {
            operator = OperatorAddress.parse(address);
        } catch (IllegalArgumentException malformed) {
            throw UsageErrors.invalid(command, "--operator", address, malformed.getMessage());
        }
        String validNamespace = UsageErrors.require(command, "--namespace", WorkerEnvironment.NAMESPACE, namespace);
        String validJob = UsageErrors.require(command, "--job", WorkerEnvironment.JOB, job);
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
        String validWorker = UsageErrors.require(command, "--worker", WorkerEnvironment.WORKER, worker);
        TokenSource token = TokenSource.configured(tokenFile, environment).orElseThrow(() -> new ParameterException(
                command.commandLine(), "Missing worker token: pass '--token-file=<file>' or set the environment "
                        + "variable " + WorkerEnvironment.TOKEN));
        try {
            token.read();
        } catch (IOException unreadable) {
            throw UsageErrors.invalid(command, "--token-file", tokenFile, "cannot read the token: " + unreadable);
        }
        return new Connection(operator, validNamespace, validJob, validWorker, token, trust(environment));
    }

    /** TLS with the configured CA, or plaintext when asked for; neither, or both, is a usage error. */
    private OperatorTrust trust(Map<String, String> environment) {
        boolean caFileGiven = caFile != null && !caFile.isBlank();
        String caText = environment.get(WorkerEnvironment.OPERATOR_CA);
        boolean caTextGiven = caText != null && !caText.isBlank();
        if (plaintext) {
            if (caFileGiven || caTextGiven) {
                throw new ParameterException(command.commandLine(), "'--plaintext' and a CA ("
                        + (caFileGiven ? "'--operator-ca-file'" : "environment variable " + WorkerEnvironment.OPERATOR_CA)
                        + ") exclude each other: the operator serves either TLS or plaintext");
            }
            return OperatorTrust.plaintext();
        }
        if (caFileGiven) {
            String pem;
            try {
                pem = Files.readString(Path.of(caFile), StandardCharsets.US_ASCII);
            } catch (IOException unreadable) {
                throw UsageErrors.invalid(command, "--operator-ca-file", caFile, "cannot read the CA: " + unreadable);
            }
            try {
                return OperatorTrust.certificateAuthority("CA file " + caFile, pem);
            } catch (IllegalArgumentException malformed) {
                throw UsageErrors.invalid(command, "--operator-ca-file", caFile, malformed.getMessage());
            }
        }
        if (caTextGiven) {
            try {
                return OperatorTrust.certificateAuthority("environment variable " + WorkerEnvironment.OPERATOR_CA,
                        caText);
            } catch (IllegalArgumentException malformed) {
                throw new ParameterException(command.commandLine(), "Invalid value of the environment variable "
                        + WorkerEnvironment.OPERATOR_CA + ": " + malformed.getMessage());
            }
        }
        throw new ParameterException(command.commandLine(), "Missing the operator's CA: pass "
                + "'--operator-ca-file=<file>' or set the environment variable " + WorkerEnvironment.OPERATOR_CA
                + " (or '--plaintext' for an operator that serves plaintext)");
    }
}
