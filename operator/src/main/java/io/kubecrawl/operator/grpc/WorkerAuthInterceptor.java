package io.kubecrawl.operator.grpc;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import org.jboss.logging.Logger;

/**
 * Lets a call through only with the worker token of the job it names ({@link WorkerCredentials}), and hands the
 * authenticated job to the service through the gRPC {@link Context} ({@link AuthenticatedJob#current()}).
 *
 * <p>Every worker-facing service registers it: {@code @RegisterInterceptor(WorkerAuthInterceptor.class)}. It is not
 * global on purpose, so that services for other callers (health, reflection) keep their own rules. A token check may
 * read a Secret from the API server; services whose methods are {@code @Blocking} have Quarkus run the whole call on
 * a worker thread, this interceptor included, so the event loop never waits for it.
 */
@ApplicationScoped
public class WorkerAuthInterceptor implements ServerInterceptor {

    private static final Logger LOG = Logger.getLogger(WorkerAuthInterceptor.class);

    private final WorkerTokenRegistry tokens;

    public WorkerAuthInterceptor(WorkerTokenRegistry tokens) {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Optional<String> token = WorkerCredentials.bearerToken(headers);
        Optional<CrawlJobName> job = WorkerCredentials.job(headers);
        if (token.isEmpty() || job.isEmpty()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("every call needs the metadata '"
                    + WorkerCredentials.AUTHORIZATION.name() + ": Bearer <worker token>' and '"
                    + WorkerCredentials.JOB.name() + ": <namespace>/<crawljob>'"));
        }
        Optional<AuthenticatedJob> authenticated;
        try {
            authenticated = tokens.authenticate(job.get(), token.get());
        } catch (KubernetesClientException e) {
            LOG.warnf("Cannot read the worker token of CrawlJob %s: %s", job.get(), e.getMessage());
            return refuse(call, Status.UNAVAILABLE.withDescription("the operator cannot check worker tokens now; retry"));
        }
        if (authenticated.isEmpty()) {
            LOG.debugf("Refused %s for CrawlJob %s: not its worker token", call.getMethodDescriptor().getFullMethodName(),
                    job.get());
            return refuse(call, Status.PERMISSION_DENIED.withDescription("the token is not the worker token of CrawlJob "
                    + job.get()));
        }
        Context context = Context.current().withValue(AuthenticatedJob.CONTEXT_KEY, authenticated.get());
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
