package io.kubecrawl.worker;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.grpc.CallCredentials;
import io.grpc.Status;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;

/**
 * {@link WorkerCredentials} whose token is read from its {@link TokenSource} again at most once a second, so that a
 * rotated Secret takes effect in a long-running agent without reading the file on every call. A token that cannot be
 * read fails the call with UNAUTHENTICATED, which the agent treats as final.
 */
public final class TokenCredentials extends CallCredentials {
    private static final long REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CrawlJobName job;
    private final TokenSource source;
    private WorkerCredentials current;
    private long readAt;

    public TokenCredentials(Connection connection) {
        this.job = new CrawlJobName(connection.namespace(), connection.job());
        this.source = connection.token();
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        WorkerCredentials credentials;
        try {
            credentials = credentials();
        } catch (IOException | IllegalArgumentException unreadable) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("cannot read the worker token from " + source + ": "
                    + unreadable.getMessage()));
            return;
        }
        credentials.applyRequestMetadata(requestInfo, appExecutor, applier);
    }

    private synchronized WorkerCredentials credentials() throws IOException {
        long now = System.nanoTime();
        if (current == null || now - readAt > REREAD_NANOS) {
            current = new WorkerCredentials(job, source.read());
            readAt = now;
        }
        return current;
    }

    /** Never the token. */
    @Override
    public String toString() {
        return "worker credentials of " + job + " from " + source;
    }
}
