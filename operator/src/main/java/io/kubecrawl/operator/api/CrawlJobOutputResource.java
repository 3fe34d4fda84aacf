package io.kubecrawl.operator.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerName;

/**
 * A job's items and logs over HTTP, for whoever may {@code get} the CrawlJob. Both are streamed from the operator's
 * volume, never held in memory, and stay readable after the job has finished and its pods are gone (until the
 * CrawlJob itself is deleted).
 */
@Path("/api/v1/namespaces/{namespace}/crawljobs/{name}")
public class CrawlJobOutputResource {

    static final String JSON_LINES = "application/jsonl";

    private final ApiAuthorizer authorizer;
    private final KubernetesClient client;
    private final ItemStore items;
    private final LogStore logs;

    public CrawlJobOutputResource(ApiAuthorizer authorizer, KubernetesClient client, ItemStore items, LogStore logs) {
        this.authorizer = authorizer;
        this.client = client;
        this.items = items;
        this.logs = logs;
    }

    /** Every item of the job, one JSON object a line, each batch's items exactly once. */
    @GET
    @Path("items")
    public Response items(@PathParam("namespace") String namespace, @PathParam("name") String name,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        CrawlJobName job = authorizedJob(authorization, namespace, name);
        StreamingOutput body = out -> items.writeTo(job, out);
        return Response.ok(body, JSON_LINES).build();
    }

    /**
     * One worker's log ({@code ?worker=}), followed until it is finished with {@code follow=true}; without a worker,
     * the names of the workers that have a log.
     */
    @GET
    @Path("logs")
    public Response logs(@PathParam("namespace") String namespace, @PathParam("name") String name,
            @QueryParam("worker") String worker, @QueryParam("follow") boolean follow,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        CrawlJobName job = authorizedJob(authorization, namespace, name);
        if (worker == null || worker.isBlank()) {
            return Response.ok(logs.workers(job), MediaType.APPLICATION_JSON).build();
        }
        if (!WorkerName.isValid(worker)) {
            throw new jakarta.ws.rs.BadRequestException(Response.status(Response.Status.BAD_REQUEST)
                    .type(MediaType.TEXT_PLAIN).entity("not a worker name: " + worker + "\n").build());
        }
        if (!logs.exists(job, worker)) {
            throw new NotFoundException(Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_PLAIN)
                    .entity("CrawlJob " + job + " has no log of worker " + worker + "\n").build());
        }
        StreamingOutput body = out -> logs.writeTo(job, worker, follow, out);
        return Response.ok(body, MediaType.TEXT_PLAIN + ";charset=utf-8").build();
    }

    private CrawlJobName authorizedJob(String authorization, String namespace, String name) {
        authorizer.authorize(authorization, "get", "crawljobs", namespace, name);
        if (client.resources(CrawlJob.class).inNamespace(namespace).withName(name).get() == null) {
            throw new NotFoundException(Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_PLAIN)
                    .entity("CrawlJob " + namespace + "/" + name + " does not exist\n").build());
        }
        return new CrawlJobName(namespace, name);
    }
}
