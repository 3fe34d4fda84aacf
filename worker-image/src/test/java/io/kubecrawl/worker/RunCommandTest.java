package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RunCommandTest {

    @Test
    void withEveryInputValidItReportsThatItIsNotImplementedAndCannotComplete() {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "run", "--", "scrapy", "crawl", "quotes");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).isEqualTo("kubecrawl-worker run: not implemented in this version%n".formatted());
    }

    @Test
    void theSpiderCommandIsRequired() {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "run");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo(("kubecrawl-worker run: Missing required parameter: '<spider-command>' "
                + "(see 'kubecrawl-worker run --help')%n").formatted());
    }

    @Test
    void aMissingConnectionOptionIsAUsageError() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.remove("KUBECRAWL_OPERATOR_ADDRESS");

        CliRun run = CliRun.execute(environment, "run", "--", "scrapy", "crawl", "quotes");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Missing required option: '--operator=<host:port>'");
    }

    @Test
    void everythingAfterTheDoubleDashIsTheSpiderCommandEvenOptionsOfOurs() {
        RunCommand run = CliRun.parse(CliRun.podEnvironment(), "run", "--workdir", "/srv/spider", "--",
                "scrapy", "crawl", "quotes", "-o", "items.jl", "--job", "x");

        RunCommand.Settings settings = run.validate();

        assertThat(settings.spiderCommand()).containsExactly("scrapy", "crawl", "quotes", "-o", "items.jl", "--job", "x");
        assertThat(settings.workdir()).isEqualTo(Path.of("/srv/spider"));
        assertThat(settings.connection().job()).isEqualTo("quotes-1");
    }

    @Test
    void theWorkdirDefaultsToTheWorkspace() {
        RunCommand run = CliRun.parse(CliRun.podEnvironment(), "run", "--", "scrapy", "crawl", "quotes");

        assertThat(run.validate().workdir()).isEqualTo(Path.of("/workspace"));
    }
}
