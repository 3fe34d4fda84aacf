package io.kubecrawl.worker;

import io.kubecrawl.protocol.WorkerEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorChannelTest {
    @TempDir
    Path tmp;

    /**
     * The JVM's exit waits up to 300 ms for a thread in native code, as an idle event loop is: a channel's loop must
     * be its own and end with it, not gRPC's shared one, which outlives a closed channel.
     */
    @Test
    void callsRunOnTheChannelsOwnEventLoopWhoseThreadEndsWhenTheChannelCloses() throws Exception {
        Trees.write(tmp.resolve("source"), "pkg/spider.py", "import scrapy\n");
        try (DirectoryBundleServer server = DirectoryBundleServer.serve(tmp.resolve("source"))) {
            Connection connection = new Connection(OperatorAddress.parse(server.address()), "crawls", "quotes-1",
                    "worker-0", TokenSource.configured(null, Map.of(WorkerEnvironment.TOKEN,
                            DirectoryBundleServer.TOKEN)).orElseThrow(), OperatorTrust.plaintext());
            List<Thread> before = eventLoopThreads(); // a loop another test's channel may still be ending
            OperatorChannel channel = OperatorChannel.open(connection, builder -> builder);

            Manifest manifest = BundleServiceGrpc.newBlockingStub(channel.channel())
                    .getManifest(GetManifestRequest.newBuilder().setBundleDigest(server.digest()).build());
            List<Thread> loops = eventLoopThreads().stream().filter(thread -> !before.contains(thread)).toList();
            channel.close();

            assertThat(manifest.getFilesList()).hasSize(1);
            assertThat(loops).as("the connection's event loop").hasSize(1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(loops.get(0).isAlive()).isFalse());
        }
    }

    private static List<Thread> eventLoopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("kubecrawl-grpc")).toList();
    }
}
