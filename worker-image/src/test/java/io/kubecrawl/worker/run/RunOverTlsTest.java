package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.kubecrawl.protocol.WorkerEnvironment;
import io.kubecrawl.worker.ExitCodes;
import io.kubecrawl.worker.TestCertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubecrawl-worker run} against a frontier served over TLS: with the CA of the job's Secret it leases and
 * finishes; with another CA it stops at its first call, without retrying for --max-wait, with a one-line reason.
 */
class RunOverTlsTest {
    private static final Duration EXIT = Duration.ofSeconds(60);
    private static final TestCertificateAuthority OPERATOR_CA = TestCertificateAuthority.create("operator CA");

    @TempDir
    Path temp;
    private FakeFrontier frontier;

    @AfterEach
    void stopFrontier() throws Exception {
        if (frontier != null) {
            frontier.close();
        }
    }

    private InProcessAgent start(String caPem) throws Exception {
        Map<String, String> environment = InProcessAgent.podEnvironment("localhost:" + frontier.port());
        environment.remove(WorkerEnvironment.OPERATOR_PLAINTEXT);
        environment.put(WorkerEnvironment.OPERATOR_CA, caPem);
        Path workdir = Files.createDirectories(temp.resolve("workspace"));
        // A --max-wait far beyond the test's timeout: an untrusted certificate must not be waited out.
        return InProcessAgent.start(environment, InProcessAgent.fastOptions(workdir, temp.resolve("scratch"),
                "--max-wait=10m"), TestSpider.command(temp, "crawl"));
    }

    @Test
    void aWorkerTrustingTheOperatorsCaRunsTheFrontierToItsEnd() throws Exception {
        frontier = FakeFrontier.startTls(OPERATOR_CA.serverContext("localhost"));

        InProcessAgent agent = start(OPERATOR_CA.pem());

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.leases()).isPositive();
    }

    @Test
    void aWorkerWithAnotherCaStopsAtItsFirstCallWithOneLine() throws Exception {
        frontier = FakeFrontier.startTls(OPERATOR_CA.serverContext("localhost"));

        InProcessAgent agent = start(TestCertificateAuthority.create("someone else's CA").pem());

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        List<String> lines = agent.err().lines().toList();
        assertThat(lines.get(lines.size() - 1)).contains("the operator's TLS certificate is not trusted (")
                .contains(WorkerEnvironment.OPERATOR_CA);
        assertThat(frontier.leases()).as("no call reached the frontier").isZero();
    }
}
