package io.kubecrawl.worker.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.worker.KubecrawlWorker;
import picocli.CommandLine;

/**
 * {@code kubecrawl-worker run} executed through its picocli command line on a thread of the test JVM, its stdout and
 * stderr captured, with the short retry delays and timeouts that keep a test fast.
 */
final class InProcessAgent {
    static final String WORKER = "quotes-1-workers-x7k2p";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

    private InProcessAgent() {
    }

    /** The environment the worker Job's pod template gives the agent. */
    static Map<String, String> podEnvironment(String operatorAddress) {
        Map<String, String> environment = new HashMap<>();
        environment.put("KUBECRAWL_OPERATOR_ADDRESS", operatorAddress);
        environment.put("KUBECRAWL_NAMESPACE", FakeFrontier.JOB.namespace());
        environment.put("KUBECRAWL_JOB", FakeFrontier.JOB.name());
        environment.put("KUBECRAWL_WORKER", WORKER);
        environment.put("KUBECRAWL_TOKEN", FakeFrontier.TOKEN);
        // FakeFrontier serves plaintext, as an operator installed with grpc.plaintext=true does.
        environment.put("KUBECRAWL_OPERATOR_PLAINTEXT", "true");
        return environment;
    }

    /**
     * The options every test run shares (fast retries, short grace and flush periods), with {@code overrides}
     * ({@code --name=value}) replacing the option of the same name: picocli refuses an option given twice.
     */
    static List<String> fastOptions(Path workdir, Path scratch, String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : List.of("--workdir=" + workdir, "--scratch=" + scratch, "--retry-delay-ms=50",
                "--retry-max-delay-ms=250", "--stop-grace-ms=2000", "--log-flush-ms=50",
                "--log-close-timeout-ms=2000", "--max-wait=30s")) {
            options.put(option.substring(0, option.indexOf('=')), option);
        }
        for (String option : overrides) {
            options.put(option.substring(0, option.indexOf('=')), option);
        }
        return List.copyOf(options.values());
    }

    static InProcessAgent start(Map<String, String> environment, List<String> options, List<String> spiderCommand) {
        InProcessAgent agent = new InProcessAgent();
        List<String> args = new ArrayList<>();
        args.add("run");
        args.addAll(options);
        args.add("--");
        args.addAll(spiderCommand);
        CommandLine commandLine = KubecrawlWorker.commandLine(environment);
        commandLine.setOut(new PrintWriter(agent.out, true));
        commandLine.setErr(new PrintWriter(agent.err, true));
        Thread thread = new Thread(() -> {
            try {
                agent.exitCode.complete(commandLine.execute(args.toArray(String[]::new)));
            } catch (Throwable unexpected) {
                agent.exitCode.completeExceptionally(unexpected);
            }
        }, "agent-under-test");
        thread.setDaemon(true);
        thread.start();
        return agent;
    }

    int awaitExit(Duration timeout) throws Exception {
        return exitCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean exited() {
        return exitCode.isDone();
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }
}
