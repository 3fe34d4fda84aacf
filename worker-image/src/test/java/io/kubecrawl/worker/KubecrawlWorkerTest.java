package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KubecrawlWorkerTest {

    @Test
    void versionPrintsTheProjectVersion() {
        CliRun run = CliRun.execute(new CommandLine(new KubecrawlWorker()), "--version");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.DONE);
        assertThat(run.out()).matches("kubecrawl-worker \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    }

    @Test
    void withoutASubcommandItIsAUsageError() {
        CliRun run = CliRun.execute(Map.of());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo(
                "kubecrawl-worker: Missing subcommand: sync or run (see 'kubecrawl-worker --help')%n".formatted());
    }

    @Test
    void anUnknownOptionIsAOneLineUsageError() {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "sync", "--frobnicate");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("kubecrawl-worker sync: Unknown option: '--frobnicate'").hasLineCount(1);
    }

    @Test
    void helpDocumentsTheExitCodes() {
        for (String command : new String[] {"--help", "sync --help", "run --help"}) {
            CliRun run = CliRun.execute(Map.of(), command.split(" "));

            assertThat(run.exitCode()).as(command).isEqualTo(ExitCodes.DONE);
            assertThat(run.out()).as(command)
                    .contains("Exit codes:")
                    .containsPattern("\\s0\\s+Done")
                    .containsPattern("\\s2\\s+Usage error")
                    .containsPattern("\\s3\\s+Cannot complete");
        }
    }
}
