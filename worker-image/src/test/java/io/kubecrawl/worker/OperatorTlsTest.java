package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.kubecrawl.protocol.WorkerEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubecrawl-worker sync} against a TLS operator on loopback: the worker trusts the CA of its job's Secret and
 * nothing else, stops at once with one line when the server's certificate is not that CA's or not for the host it
 * dialled, dials plaintext only when told to (and a TLS server refuses it), and with TLS its token never crosses the
 * network readable.
 */
class OperatorTlsTest {
    private static final String HOST = "localhost";
    private static final TestCertificateAuthority OPERATOR_CA = TestCertificateAuthority.create("operator CA");
    private static final TestCertificateAuthority OTHER_CA = TestCertificateAuthority.create("someone else's CA");

    @TempDir
    Path tmp;

    private Path source;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void writeBundle() throws IOException {
        source = tmp.resolve("bundle");
        Trees.write(source, "spider.py", "import scrapy\n");
        Trees.write(source, "data/seeds.txt", "https://quotes.test/\n");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private DirectoryBundleServer tlsServer(TestCertificateAuthority issuer, String dnsName) throws IOException {
        DirectoryBundleServer server = DirectoryBundleServer.serveTls(source, issuer.serverContext(dnsName));
        closeables.add(server);
        return server;
    }

    private DirectoryBundleServer plaintextServer() throws IOException {
        DirectoryBundleServer server = DirectoryBundleServer.serve(source);
        closeables.add(server);
        return server;
    }

    /** The pod template of a TLS operator: the CA from the job's Secret, no plaintext flag. */
    private static Map<String, String> tlsEnvironment(DirectoryBundleServer server, int port, String caPem) {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.remove(WorkerEnvironment.OPERATOR_PLAINTEXT);
        environment.put(WorkerEnvironment.OPERATOR_CA, caPem);
        environment.put(WorkerEnvironment.OPERATOR_ADDRESS, HOST + ":" + port);
        environment.put(WorkerEnvironment.BUNDLE_DIGEST, server.digest());
        return environment;
    }

    private CliRun sync(Map<String, String> environment, String... options) {
        List<String> args = new ArrayList<>(List.of("sync", "--target=" + tmp.resolve("target")));
        args.addAll(List.of(options));
        return CliRun.execute(environment, args.toArray(String[]::new));
    }

    private Path marker() {
        return tmp.resolve("target/.kubecrawl/complete");
    }

    @Test
    void aWorkerTrustingTheOperatorsCaSyncsOverTls() throws IOException {
        DirectoryBundleServer server = tlsServer(OPERATOR_CA, HOST);

        CliRun run = sync(tlsEnvironment(server, server.port(), OPERATOR_CA.pem()));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(marker()).exists();
        assertThat(tmp.resolve("target/spider.py")).hasContent("import scrapy");
    }

    @Test
    void theCaIsReadFromAFileToo() throws IOException {
        DirectoryBundleServer server = tlsServer(OPERATOR_CA, HOST);
        Map<String, String> environment = tlsEnvironment(server, server.port(), OPERATOR_CA.pem());
        environment.remove(WorkerEnvironment.OPERATOR_CA);
        Path caFile = OPERATOR_CA.writePem(tmp.resolve("ca.crt"));

        CliRun run = sync(environment, "--operator-ca-file=" + caFile);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(marker()).exists();
    }

    @Test
    void aWorkerWithTheWrongCaStopsAtOnceWithAOneLineReason() throws IOException {
        DirectoryBundleServer server = tlsServer(OPERATOR_CA, HOST);
        Map<String, String> environment = tlsEnvironment(server, server.port(), OTHER_CA.pem());

        // Were the failure retried, the first backoff alone (10 min) would outlast the timeout.
        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> sync(environment, "--retry-delay-ms=600000", "--retry-max-delay-ms=600000"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err().lines()).as(run.err()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("kubecrawl-worker sync: cannot fetch the manifest of bundle ")
                .contains("the operator's TLS certificate is not trusted (")
                .contains(WorkerEnvironment.OPERATOR_CA, "--operator-ca-file", "key ca.crt"));
        assertThat(server.manifestCalls()).as("no call reached the server").isZero();
        assertThat(marker()).doesNotExist();
    }

    @Test
    void aCertificateOfTheRightCaForAnotherHostIsNotTrusted() throws IOException {
        DirectoryBundleServer server = tlsServer(OPERATOR_CA, "kubecrawl.elsewhere.svc");

        CliRun run = sync(tlsEnvironment(server, server.port(), OPERATOR_CA.pem()));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err().lines()).as(run.err()).singleElement().satisfies(line -> assertThat(line)
                .contains("the operator's TLS certificate is not trusted (").contains(HOST));
        assertThat(server.manifestCalls()).isZero();
    }

    @Test
    void aPlaintextWorkerIsRefusedByATlsOperator() throws IOException {
        DirectoryBundleServer server = tlsServer(OPERATOR_CA, HOST);
        Map<String, String> environment = tlsEnvironment(server, server.port(), OPERATOR_CA.pem());
        environment.remove(WorkerEnvironment.OPERATOR_CA);
        environment.put(WorkerEnvironment.OPERATOR_PLAINTEXT, "true");

        CliRun run = sync(environment, "--max-attempts=2", "--retry-delay-ms=10", "--retry-max-delay-ms=20");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).contains("cannot fetch the manifest").contains("UNAVAILABLE");
        assertThat(server.manifestCalls()).as("no call reached the server").isZero();
        assertThat(marker()).doesNotExist();
    }

    @Test
    void withTlsTheTokenNeverCrossesTheNetworkReadable() throws Exception {
        DirectoryBundleServer server = tlsServer(OPERATOR_CA, HOST);
        RecordingRelay relay = RecordingRelay.to(server.port());
        closeables.add(relay);

        CliRun run = sync(tlsEnvironment(server, relay.port(), OPERATOR_CA.pem()));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.manifestCalls()).as("the calls went through the relay").isPositive();
        byte[] recorded = relay.recorded();
        assertThat(recorded.length).isGreaterThan(1000);
        assertThat(contains(recorded, DirectoryBundleServer.TOKEN)).as("the token in the recorded bytes").isFalse();
        assertThat(contains(recorded, "import scrapy")).as("the bundle's content in the recorded bytes").isFalse();
    }

    @Test
    void inPlaintextTheSameRecordingShowsTheToken() throws Exception {
        // The control of the test above: the relay does see a token that crosses it readable.
        DirectoryBundleServer server = plaintextServer();
        RecordingRelay relay = RecordingRelay.to(server.port());
        closeables.add(relay);
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put(WorkerEnvironment.OPERATOR_ADDRESS, "127.0.0.1:" + relay.port());
        environment.put(WorkerEnvironment.BUNDLE_DIGEST, server.digest());

        CliRun run = sync(environment);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(contains(relay.recorded(), DirectoryBundleServer.TOKEN)).isTrue();
    }

    @Test
    void withoutACaAndWithoutPlaintextTheWorkerRefusesToStart() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.remove(WorkerEnvironment.OPERATOR_PLAINTEXT);

        CliRun run = sync(environment);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
                .contains("Missing the operator's CA").contains("--operator-ca-file", WorkerEnvironment.OPERATOR_CA,
                        "--plaintext"));
    }

    @Test
    void plaintextAndACaTogetherAreAUsageError() {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put(WorkerEnvironment.OPERATOR_CA, OPERATOR_CA.pem());

        CliRun run = sync(environment);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("'--plaintext' and a CA").contains("exclude each other");
    }

    @Test
    void aMalformedCaIsAUsageError() throws IOException {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.remove(WorkerEnvironment.OPERATOR_PLAINTEXT);
        Path notACertificate = Files.writeString(tmp.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nbm9wZQ==\n"
                + "-----END CERTIFICATE-----\n");

        CliRun fromFile = sync(environment, "--operator-ca-file=" + notACertificate);
        environment.put(WorkerEnvironment.OPERATOR_CA, "not a certificate");
        CliRun fromEnvironment = sync(environment);

        assertThat(fromFile.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(fromFile.err()).contains("Invalid value for option '--operator-ca-file'");
        assertThat(fromEnvironment.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(fromEnvironment.err()).contains("Invalid value of the environment variable "
                + WorkerEnvironment.OPERATOR_CA);
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + bytes.length <= haystack.length; i++) {
            for (int j = 0; j < bytes.length; j++) {
                if (haystack[i + j] != bytes[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
