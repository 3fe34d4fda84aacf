package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenSourceTest {
    private static final String TOKEN = "s3cr3t-worker-token";

    @TempDir
    Path directory;

    @Test
    void aTokenFileIsReadWithoutItsTrailingNewlineAndWinsOverTheEnvironment() throws IOException {
        Path file = Files.writeString(directory.resolve("token"), TOKEN + "\n");

        TokenSource source = TokenSource.configured(file.toString(), Map.of("KUBECRAWL_TOKEN", "other")).orElseThrow();

        assertThat(source.read()).isEqualTo(TOKEN);
        assertThat(source).hasToString("token file " + file);
    }

    @Test
    void theFileIsReadAgainOnEveryUseSoThatARotatedTokenIsPickedUp() throws IOException {
        Path file = Files.writeString(directory.resolve("token"), "first");
        TokenSource source = TokenSource.configured(file.toString(), Map.of()).orElseThrow();
        assertThat(source.read()).isEqualTo("first");

        Files.writeString(file, "second");

        assertThat(source.read()).isEqualTo("second");
    }

    @Test
    void withoutAFileTheTokenComesFromTheEnvironmentAndIsNeverShown() throws IOException {
        TokenSource source = TokenSource.configured("", Map.of("KUBECRAWL_TOKEN", TOKEN)).orElseThrow();

        assertThat(source.read()).isEqualTo(TOKEN);
        assertThat(source.toString()).doesNotContain(TOKEN);
        assertThat(new Connection(new OperatorAddress("op", 9090), "ns", "job", "worker", source, OperatorTrust.plaintext()).toString())
                .doesNotContain(TOKEN);
    }

    @Test
    void withNeitherThereIsNoSource() {
        assertThat(TokenSource.configured(null, Map.of())).isEmpty();
        assertThat(TokenSource.configured(" ", Map.of("KUBECRAWL_TOKEN", ""))).isEmpty();
    }

    @Test
    void anEmptyTokenFileCannotBeRead() throws IOException {
        Path file = Files.writeString(directory.resolve("token"), "\n");
        TokenSource source = TokenSource.configured(file.toString(), Map.of()).orElseThrow();

        assertThatThrownBy(source::read).isInstanceOf(IOException.class).hasMessageContaining("is empty");
    }

    @Test
    void withoutAnyTokenTheCommandsRefuseToStart() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.remove("KUBECRAWL_TOKEN");

        CliRun run = CliRun.execute(environment, "sync");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo(("kubecrawl-worker sync: Missing worker token: pass '--token-file=<file>' or "
                + "set the environment variable KUBECRAWL_TOKEN (see 'kubecrawl-worker sync --help')%n").formatted());
    }

    @Test
    void anUnreadableTokenFileIsAUsageErrorThatDoesNotShowTheEnvironmentToken() {
        Path missing = directory.resolve("absent");
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_TOKEN", TOKEN);
        environment.put("KUBECRAWL_TOKEN_FILE", missing.toString());

        CliRun run = CliRun.execute(environment, "run", "--", "scrapy", "crawl", "quotes");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("kubecrawl-worker run: Invalid value for option '--token-file': '" + missing)
                .doesNotContain(TOKEN);
    }

    @Test
    void theTokenAppearsInNoOutput() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_TOKEN", TOKEN);

        CliRun[] runs = {
                // The operator of the pod environment does not exist: one attempt is enough to show the output.
                CliRun.execute(environment, "sync", "--max-attempts=1"),
                CliRun.execute(environment, "sync", "--bundle", "sha256:bad"),
                CliRun.execute(environment, "sync", "--help"),
                // The operator of the pod environment does not exist: a short --max-wait ends the run quickly.
                CliRun.execute(environment, "run", "--max-wait=1s", "--log-close-timeout-ms=500", "--", "scrapy",
                        "crawl", "quotes")};

        for (CliRun run : runs) {
            assertThat(run.out() + run.err()).doesNotContain(TOKEN);
        }
    }
}
