package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.worker.run.RunSettings;
import org.junit.jupiter.api.Test;

class RunCommandTest {

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

        RunSettings settings = run.validate();

        assertThat(settings.spiderCommand()).containsExactly("scrapy", "crawl", "quotes", "-o", "items.jl", "--job", "x");
        assertThat(settings.workdir()).isEqualTo(Path.of("/srv/spider"));
        assertThat(settings.connection().job()).isEqualTo("quotes-1");
    }

    @Test
    void theDefaultsSuitAPod() {
        RunCommand run = CliRun.parse(CliRun.podEnvironment(), "run", "--", "scrapy", "crawl", "quotes");

        RunSettings settings = run.validate();

        assertThat(settings.workdir()).isEqualTo(Path.of("/workspace"));
        assertThat(settings.scratch()).isEqualTo(Path.of("/tmp/kubecrawl"));
        assertThat(settings.pythonPath()).isEqualTo(Path.of("/opt/kubecrawl/python"));
        assertThat(settings.maxWait()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.scrapy()).as("auto: the command is scrapy").isTrue();
        assertThat(settings.discovered()).as("an operator that does not say keeps requests in the spider")
                .isEqualTo(DiscoveryMode.LOCAL);
        assertThat(settings.minHostDelay()).as("no minimum: the spider's own delay").isZero();
    }

    @Test
    void eachOptionFallsBackToItsEnvironmentVariable() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_WORKSPACE", "/srv/bundle");
        environment.put("KUBECRAWL_SCRATCH", "/var/tmp/batches");
        environment.put("KUBECRAWL_PYTHON_PATH", "/usr/local/lib/kubecrawl");
        environment.put("KUBECRAWL_MAX_WAIT", "90s");
        environment.put("KUBECRAWL_SCRAPY", "off");
        environment.put("KUBECRAWL_DISCOVERED", "Frontier");
        environment.put("KUBECRAWL_MIN_HOST_DELAY_MILLIS", "250");

        RunSettings settings = CliRun.<RunCommand>parse(environment, "run", "--", "scrapy", "crawl", "quotes")
                .validate();

        assertThat(settings.workdir()).isEqualTo(Path.of("/srv/bundle"));
        assertThat(settings.scratch()).isEqualTo(Path.of("/var/tmp/batches"));
        assertThat(settings.pythonPath()).isEqualTo(Path.of("/usr/local/lib/kubecrawl"));
        assertThat(settings.maxWait()).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.scrapy()).isFalse();
        assertThat(settings.discovered()).isEqualTo(DiscoveryMode.FRONTIER);
        assertThat(settings.minHostDelay()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theMinimumHostDelayOptionWinsOverTheVariableAndRefusesANegativeNumber() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_MIN_HOST_DELAY_MILLIS", "250");

        assertThat(CliRun.<RunCommand>parse(environment, "run", "--min-host-delay-ms=1000", "--", "scrapy", "crawl",
                "q").validate().minHostDelay()).isEqualTo(Duration.ofSeconds(1));
        CliRun negative = CliRun.execute(environment, "run", "--min-host-delay-ms=-1", "--", "scrapy", "crawl", "q");
        assertThat(negative.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(negative.err()).contains("Invalid value for option '--min-host-delay-ms': '-1': must not be "
                + "negative");
        environment.put("KUBECRAWL_MIN_HOST_DELAY_MILLIS", "soon");
        CliRun malformed = CliRun.execute(environment, "run", "--", "scrapy", "crawl", "q");
        assertThat(malformed.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(malformed.err()).contains("--min-host-delay-ms", "soon");
    }

    @Test
    void theScrapySwitchIsAutomaticForAScrapyCommandAndCanBeForced() {
        Map<String, String> environment = CliRun.podEnvironment();

        assertThat(CliRun.<RunCommand>parse(environment, "run", "--", "/usr/bin/scrapy", "crawl", "q").validate()
                .scrapy()).isTrue();
        assertThat(CliRun.<RunCommand>parse(environment, "run", "--", "python3", "crawl.py").validate().scrapy())
                .isFalse();
        assertThat(CliRun.<RunCommand>parse(environment, "run", "--scrapy=on", "--", "python3", "-m", "scrapy")
                .validate().scrapy()).isTrue();
        assertThat(CliRun.<RunCommand>parse(environment, "run", "--scrapy=off", "--", "scrapy", "crawl", "q")
                .validate().scrapy()).isFalse();
    }

    @Test
    void anUnknownScrapyModeIsAUsageError() {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "run", "--scrapy=maybe", "--", "scrapy", "crawl", "q");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo(("kubecrawl-worker run: Invalid value for option '--scrapy': 'maybe': expected "
                + "auto, on or off (see 'kubecrawl-worker run --help')%n").formatted());
    }

    @Test
    void anUnknownDiscoveryModeIsAUsageErrorNamingTheVariable() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_DISCOVERED", "Everywhere");

        CliRun run = CliRun.execute(environment, "run", "--", "scrapy", "crawl", "q");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo(("kubecrawl-worker run: Invalid value for option '--discovered': "
                + "'Everywhere': expected Frontier or Local (see 'kubecrawl-worker run --help')%n")
                .formatted());
    }

    @Test
    void maxWaitTakesAUnitAndRefusesABareNumber() {
        Map<String, String> environment = CliRun.podEnvironment();

        assertThat(CliRun.<RunCommand>parse(environment, "run", "--max-wait=2h", "--", "x").validate().maxWait())
                .isEqualTo(Duration.ofHours(2));
        assertThat(CliRun.<RunCommand>parse(environment, "run", "--max-wait=PT45S", "--", "x").validate().maxWait())
                .isEqualTo(Duration.ofSeconds(45));
        CliRun run = CliRun.execute(environment, "run", "--max-wait=600", "--", "x");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("kubecrawl-worker run: Invalid value for option '--max-wait'").hasLineCount(1);
    }

    @Test
    void theScratchDirectoryMustNotBeInsideTheWorkspace() {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "run", "--workdir=/workspace",
                "--scratch=/workspace/tmp", "--", "scrapy", "crawl", "q");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Invalid value for option '--scratch': '/workspace/tmp': must not be inside "
                + "the work directory /workspace");
    }
}
