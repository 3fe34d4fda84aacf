package io.kubecrawl.protocol;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.Metadata;

/**
 * What a worker presents on every gRPC call: its job's worker token, as {@code authorization: Bearer <token>}, and
 * the job it speaks for, as {@code kubecrawl-job: <namespace>/<name>}. The token opens only that job's bundle,
 * frontier, items and logs.
 *
 * <p>A client attaches it to a stub: {@code BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(new
 * WorkerCredentials(job, token))}. The server reads the same keys through {@link #bearerToken(Metadata)} and
 * {@link #job(Metadata)}.
 */
public final class WorkerCredentials extends CallCredentials {

    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> JOB = Metadata.Key.of("kubecrawl-job", Metadata.ASCII_STRING_MARSHALLER);
    public static final String BEARER = "Bearer ";

    private final CrawlJobName job;
    private final String token;

    public WorkerCredentials(CrawlJobName job, String token) {
        this.job = Objects.requireNonNull(job, "job");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the worker token is empty");
        }
        this.token = token.strip();
    }

    public CrawlJobName job() {
        return job;
    }

    /** The metadata this call credential adds, for clients that set headers themselves (an interceptor, a test). */
    public Metadata toMetadata() {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, BEARER + token);
        headers.put(JOB, job.toString());
        return headers;
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        applier.apply(toMetadata());
    }

    /** The token of an {@code authorization: Bearer <token>} entry, if the headers carry a well-formed one. */
    public static Optional<String> bearerToken(Metadata headers) {
        String value = headers.get(AUTHORIZATION);
        if (value == null || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String token = value.substring(BEARER.length()).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** The job of a {@code kubecrawl-job} entry, if the headers carry a well-formed one. */
    public static Optional<CrawlJobName> job(Metadata headers) {
        String value = headers.get(JOB);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CrawlJobName.parse(value.strip()));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** Never the token: credentials end up in logs through exceptions and debuggers. */
    @Override
    public String toString() {
        return "WorkerCredentials[job=" + job + ", token=***]";
    }
}
