package io.kubecrawl.operator.grpc;

import java.util.Optional;

import io.grpc.Context;
import io.kubecrawl.protocol.CrawlJobName;

/**
 * The CrawlJob a gRPC call was authenticated for by {@link WorkerAuthInterceptor}. Services read it with
 * {@link #current()}, never from the request, so a worker can only ever act for its own job.
 *
 * @param name the CrawlJob's namespace and name
 * @param uid the uid of the CrawlJob that owns the token Secret, if the Secret names one: it tells a job from a later
 *     one of the same name
 */
public record AuthenticatedJob(CrawlJobName name, Optional<String> uid) {

    static final Context.Key<AuthenticatedJob> CONTEXT_KEY = Context.key("kubecrawl-authenticated-job");

    /** @throws IllegalStateException when the service is not behind {@link WorkerAuthInterceptor} */
    public static AuthenticatedJob current() {
        AuthenticatedJob job = CONTEXT_KEY.get();
        if (job == null) {
            throw new IllegalStateException("no authenticated job: register WorkerAuthInterceptor on the service");
        }
        return job;
    }
}
