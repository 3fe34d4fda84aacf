package io.kubecrawl.worker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

import picocli.CommandLine;

/** One execution of the agent's command line with a given environment, its output captured. */
record CliRun(int exitCode, String out, String err) {

    /** Every variable the pod template sets, so that a test removes or overrides just the one it is about. */
    static Map<String, String> podEnvironment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("KUBECRAWL_OPERATOR_ADDRESS", "kubecrawl-operator.kubecrawl-system:9090");
        environment.put("KUBECRAWL_NAMESPACE", "crawls");
        environment.put("KUBECRAWL_JOB", "quotes-1");
        environment.put("KUBECRAWL_WORKER", "quotes-1-workers-x7k2p");
        environment.put("KUBECRAWL_TOKEN", "t0ken-from-secret");
        environment.put("KUBECRAWL_BUNDLE_DIGEST", "sha256:" + "ab".repeat(32));
        // The tests' servers are plaintext; the TLS tests remove this and give a CA instead.
        environment.put("KUBECRAWL_OPERATOR_PLAINTEXT", "true");
        return environment;
    }

    static CliRun execute(Map<String, String> environment, String... args) {
        return execute(KubecrawlWorker.commandLine(environment), args);
    }

    static CliRun execute(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    /** Parses (applying the environment's defaults) without executing, and returns the subcommand object. */
    static <T> T parse(Map<String, String> environment, String... args) {
        CommandLine.ParseResult parsed = KubecrawlWorker.commandLine(environment).parseArgs(args);
        return parsed.subcommand().commandSpec().commandLine().getCommand();
    }
}
