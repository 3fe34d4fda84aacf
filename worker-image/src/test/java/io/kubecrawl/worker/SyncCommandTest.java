package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyncCommandTest {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @CsvSource({
            "KUBECRAWL_NAMESPACE, Crawls,    --namespace",
            "KUBECRAWL_JOB,       quotes_1,  --job",
            "KUBECRAWL_JOB,       -quotes,   --job"})
    void aNamespaceOrJobThatIsNotAKubernetesNameIsAUsageError(String variable, String value, String option) {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put(variable, value);

        CliRun run = CliRun.execute(environment, "sync");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("kubecrawl-worker sync: Invalid value for option '" + option + "': '" + value
                + "'").hasLineCount(1);
    }

    @ParameterizedTest
    @CsvSource({
            "KUBECRAWL_OPERATOR_ADDRESS, '--operator=<host:port>'",
            "KUBECRAWL_NAMESPACE,        '--namespace=<namespace>'",
            "KUBECRAWL_JOB,              '--job=<crawljob>'",
            "KUBECRAWL_WORKER,           '--worker=<pod>'",
            "KUBECRAWL_BUNDLE_DIGEST,    '--bundle=<sha256:hex>'"})
    void aMissingOptionIsAUsageErrorThatNamesTheOptionAndItsVariable(String variable, String option) {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.remove(variable);

        CliRun run = CliRun.execute(environment, "sync");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo(("kubecrawl-worker sync: Missing required option: '%s' (or environment "
                + "variable %s) (see 'kubecrawl-worker sync --help')%n").formatted(option, variable));
    }

    @Test
    void anEmptyVariableCountsAsMissing() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_JOB", "");

        CliRun run = CliRun.execute(environment, "sync");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Missing required option: '--job=<crawljob>'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sha256:abc",
            "sha256:" + "AB0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
            "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefff"})
    void aMalformedDigestIsRejected(String digest) {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "sync", "--bundle", digest);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("kubecrawl-worker sync: Invalid value for option '--bundle': '" + digest + "'")
                .contains("expected sha256:<64 lowercase hex digits>")
                .hasLineCount(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"operator", "operator:", ":9090", "operator:http", "operator:0", "operator:65536",
            "fd00::1:9090"})
    void aMalformedOperatorAddressIsRejected(String address) {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "sync", "--operator", address);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("kubecrawl-worker sync: Invalid value for option '--operator': '" + address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--parallelism=0", "--max-attempts=0", "--parallelism=many"})
    void countsMustBePositiveNumbers(String option) {
        CliRun run = CliRun.execute(CliRun.podEnvironment(), "sync", option);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Invalid value for option '" + option.substring(0, option.indexOf('=')) + "'");
    }

    @Test
    void theEnvironmentSuppliesEveryOptionAndTheDefaultsFillTheRest() {
        SyncCommand sync = CliRun.parse(CliRun.podEnvironment(), "sync");

        SyncCommand.Settings settings = sync.validate();

        assertThat(settings.connection().operator())
                .isEqualTo(new OperatorAddress("kubecrawl-operator.kubecrawl-system", 9090));
        assertThat(settings.connection().namespace()).isEqualTo("crawls");
        assertThat(settings.connection().job()).isEqualTo("quotes-1");
        assertThat(settings.connection().worker()).isEqualTo("quotes-1-workers-x7k2p");
        assertThat(settings.connection().token()).hasToString("environment variable KUBECRAWL_TOKEN");
        assertThat(settings.bundle()).isEqualTo(new BundleDigest("sha256:" + "ab".repeat(32)));
        assertThat(settings.target()).isEqualTo(Path.of("/workspace"));
        assertThat(settings.parallelism()).isEqualTo(4);
        assertThat(settings.maxAttempts()).isEqualTo(8);
    }

    @Test
    void optionsOverrideTheEnvironment() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_WORKSPACE", "/from-env");
        SyncCommand sync = CliRun.parse(environment, "sync", "--operator", "[fd00::1]:7070", "--job", "other",
                "--bundle", DIGEST, "--target", "/from-flag", "--parallelism", "16", "--max-attempts", "2");

        SyncCommand.Settings settings = sync.validate();

        assertThat(settings.connection().operator()).hasToString("[fd00::1]:7070");
        assertThat(settings.connection().job()).isEqualTo("other");
        assertThat(settings.bundle().hex()).isEqualTo(DIGEST.substring("sha256:".length()));
        assertThat(settings.target()).isEqualTo(Path.of("/from-flag"));
        assertThat(settings.parallelism()).isEqualTo(16);
        assertThat(settings.maxAttempts()).isEqualTo(2);
    }

    @Test
    void theWorkspaceVariableMovesTheTarget() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_WORKSPACE", "/data/bundle");

        SyncCommand sync = CliRun.parse(environment, "sync");

        assertThat(sync.validate().target()).isEqualTo(Path.of("/data/bundle"));
    }
}
