package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchFilesTest {
    @TempDir
    Path temp;

    @Test
    void theRequestsAreWrittenOnePerLineExactlyAsReceivedAndTheItemsFileStartsEmpty() throws Exception {
        Batch batch = batch("https://a.example/1", "{\"url\": \"https://a.example/2\", \"method\": \"POST\"}");
        Path scratch = temp.resolve("scratch");

        try (BatchFiles files = BatchFiles.create(scratch, "quotes-1-workers-x7k2p", batch)) {
            assertThat(files.requests()).hasContent(
                    "https://a.example/1\n{\"url\": \"https://a.example/2\", \"method\": \"POST\"}\n");
            assertThat(files.items()).isEmptyFile().hasParent(scratch);
            assertThat(files.requests().getFileName().toString())
                    .isEqualTo("quotes-1-workers-x7k2p-batch-2-41-1.requests");
        }
    }

    @Test
    void aRequestSpanningLinesStaysOneLine() throws Exception {
        Batch batch = batch("{\n  \"url\": \"https://a.example/1\",\n  \"meta\": {\"a\": 1}\n}");

        try (BatchFiles files = BatchFiles.create(temp, "w", batch)) {
            assertThat(files.requests()).hasContent("{\"url\":\"https://a.example/1\",\"meta\":{\"a\":1}}\n");
        }
    }

    @Test
    void closingDeletesEveryFileIncludingTheDiscoveredRequestsAndTheirTemporaryName() throws Exception {
        BatchFiles files = BatchFiles.create(temp, "w", batch("https://a.example/1"));
        Files.writeString(files.items(), "{\"a\": 1}\n");
        Files.writeString(files.discovered(), "{}\n");
        Path partial = temp.resolve(files.discovered().getFileName() + ".part");
        Files.writeString(partial, "{}\n");

        files.close();

        assertThat(files.requests()).doesNotExist();
        assertThat(files.items()).doesNotExist();
        assertThat(files.discovered()).doesNotExist();
        assertThat(partial).doesNotExist();
    }

    @Test
    void theDiscoveredRequestsFileIsNamedButLeftToTheSpiderAndOneLeftByAnEarlierAgentIsGone() throws Exception {
        Path stale = temp.resolve("w-batch-2-41-1.discovered.jsonl");
        Files.writeString(stale, "{\"url\": \"https://a.example/stale\"}\n");

        try (BatchFiles files = BatchFiles.create(temp, "w", batch("https://a.example/1"))) {
            assertThat(files.discovered()).isEqualTo(stale).doesNotExist();
        }
    }

    @Test
    void aWorkerNameCannotLeadOutOfTheScratchDirectory() throws Exception {
        try (BatchFiles files = BatchFiles.create(temp, "../../etc/x", batch("https://a.example/1"))) {
            assertThat(files.requests()).hasParent(temp);
        }
    }

    private static Batch batch(String... requests) {
        return Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(2).setNumber(41)).setAttempt(1)
                .addAllRequests(java.util.List.of(requests)).build();
    }
}
