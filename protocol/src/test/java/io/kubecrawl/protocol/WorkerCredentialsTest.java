package io.kubecrawl.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.concurrent.atomic.AtomicReference;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class WorkerCredentialsTest {

    private static final CrawlJobName JOB = new CrawlJobName("crawls", "quotes-daily");

    @Test
    void addsTheBearerTokenAndTheJobToEveryCall() {
        AtomicReference<Metadata> applied = new AtomicReference<>();
        new WorkerCredentials(JOB, "s3cret").applyRequestMetadata(null, Runnable::run,
                new CallCredentials.MetadataApplier() {
                    @Override
                    public void apply(Metadata headers) {
                        applied.set(headers);
                    }

                    @Override
                    public void fail(Status status) {
                        throw new AssertionError(status);
                    }
                });

        assertThat(applied.get().get(WorkerCredentials.AUTHORIZATION)).isEqualTo("Bearer s3cret");
        assertThat(applied.get().get(WorkerCredentials.JOB)).isEqualTo("crawls/quotes-daily");
        assertThat(WorkerCredentials.bearerToken(applied.get())).contains("s3cret");
        assertThat(WorkerCredentials.job(applied.get())).contains(JOB);
    }

    @Test
    void malformedHeadersReadAsAbsent() {
        Metadata headers = new Metadata();
        assertThat(WorkerCredentials.bearerToken(headers)).isEmpty();
        assertThat(WorkerCredentials.job(headers)).isEmpty();

        headers.put(WorkerCredentials.AUTHORIZATION, "Basic dXNlcjpwYXNz");
        headers.put(WorkerCredentials.JOB, "no-namespace");
        assertThat(WorkerCredentials.bearerToken(headers)).isEmpty();
        assertThat(WorkerCredentials.job(headers)).isEmpty();

        Metadata blank = new Metadata();
        blank.put(WorkerCredentials.AUTHORIZATION, "Bearer   ");
        blank.put(WorkerCredentials.JOB, "crawls/Not_A_Name");
        assertThat(WorkerCredentials.bearerToken(blank)).isEmpty();
        assertThat(WorkerCredentials.job(blank)).isEmpty();
    }

    @Test
    void neverShowsTheToken() {
        assertThat(new WorkerCredentials(JOB, "s3cret")).hasToString("WorkerCredentials[job=crawls/quotes-daily, token=***]");
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerCredentials(JOB, " "));
    }

    @Test
    void jobNamesParseAndPrintAsNamespaceSlashName() {
        assertThat(CrawlJobName.parse("crawls/quotes-daily")).isEqualTo(JOB).hasToString("crawls/quotes-daily");
        assertThatIllegalArgumentException().isThrownBy(() -> CrawlJobName.parse("crawls/a/b"));
        assertThatIllegalArgumentException().isThrownBy(() -> CrawlJobName.parse("/name"));
        assertThatIllegalArgumentException().isThrownBy(() -> CrawlJobName.parse("crawls"));
    }
}
