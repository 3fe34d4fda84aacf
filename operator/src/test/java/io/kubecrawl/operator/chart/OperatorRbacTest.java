package io.kubecrawl.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import io.grpc.ManagedChannel;
import io.kubecrawl.operator.tls.ServingCertificateKeeper;
import io.kubecrawl.operator.testing.OperatorChannels;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.upload.TestArchives;
import io.quarkus.test.common.http.TestHTTPResource;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/**
 * The chart's ClusterRole grants exactly what the operator uses: every request the operator sent to an API server of
 * its own, from start-up through a whole job and a bundle upload, maps to a granted (group, resource, verb), and
 * every granted one was used.
 */
@QuarkusTest
@TestProfile(OperatorRbacTest.OwnApiServer.class)
@WithKubernetesTestServer(crud = true)
class OperatorRbacTest {

    /** A profile of its own gives this test a fresh operator and API server, whose every request is recorded. */
    public static class OwnApiServer implements QuarkusTestProfile {
    }

    @KubernetesTestServer
    KubernetesServer server;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    int grpcPort;

    @Inject
    ServingCertificateKeeper servingCertificate;

    @TestHTTPResource("/")
    URL api;

    @Inject
    KubernetesClient client;

    @Test
    void clusterRoleGrantsExactlyWhatTheOperatorUses() {
        MockCluster cluster = new MockCluster(client, server.getKubernetesMockServer());
        runAWholeJob(cluster);

        Set<String> used = new TreeSet<>();
        for (RecordedRequest request : cluster.drainRequests()) {
            if (!MockCluster.TEST_USER_AGENT.equals(request.getHeader("User-Agent"))) {
                used.add(permission(request));
            }
        }
        Set<String> granted = new TreeSet<>();
        ClusterRole role = RenderedChart.withDefaults().single(ClusterRole.class);
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(group -> rule.getResources().forEach(
                resource -> rule.getVerbs().forEach(verb -> granted.add(group + "/" + resource + ":" + verb)))));

        assertThat(used).as("requests the operator made").isNotEmpty();
        assertThat(granted).as("granted by the chart's ClusterRole").containsAll(used);
        assertThat(used).as("used by the operator").containsAll(granted);
    }

    private void runAWholeJob(MockCluster cluster) {
        cluster.configMap("code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        cluster.configMap("seeds", Map.of("seeds.txt", "http://a.test/1\nhttp://b.test/2\n"));
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName("crawl").withNamespace(cluster.namespace()).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setWorkers(2);
        spec.setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "seeds.txt")));
        crawlJob.setSpec(spec);
        cluster.client().resource(crawlJob).create();
        cluster.awaitJob("crawl-workers", j -> true);
        cluster.setJobStatus("crawl-workers", s -> { s.setActive(2); s.setReady(2); return s; });
        cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Running);
        cluster.editCrawlJob("crawl", c -> { c.getSpec().setWorkers(3); return c; });
        cluster.awaitJob("crawl-workers", j -> j.getSpec().getParallelism() == 3);
        // A worker syncs the bundle and drains the frontier over gRPC, as the agent does.
        String token = WorkerClient.token(cluster.awaitSecret("crawl-worker-token"));
        CrawlJobName job = new CrawlJobName(cluster.namespace(), "crawl");
        ManagedChannel channel = OperatorChannels.tls(servingCertificate, grpcPort);
        try {
            BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(new WorkerCredentials(job, token))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).getManifest(GetManifestRequest.getDefaultInstance());
            WorkerClient worker = new WorkerClient(channel, job, token, "crawl-workers-abcde");
            worker.drain(batch -> worker.complete(batch, List.of("{\"ok\":true}")));
        } finally {
            channel.shutdownNow();
        }
        cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);

        // A user reads the items over the HTTP API, which asks the API server who they are and what they may do.
        ClusterIdentities.install(server.getKubernetesMockServer());
        HttpResponse<String> items;
        try {
            items = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.toURI().resolve("api/v1/namespaces/"
                    + cluster.namespace() + "/crawljobs/crawl/items"))
                    .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(items.statusCode()).isEqualTo(200);

        // A user uploads the bundle of a Spider whose source is an upload; the operator points the Spider at it.
        SpiderSource uploadSource = new SpiderSource();
        uploadSource.setUpload(new UploadSource());
        cluster.spider("uploaded", uploadSource);
        HttpResponse<String> upload;
        try {
            upload = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.toURI().resolve("api/v1/namespaces/"
                    + cluster.namespace() + "/spiders/uploaded/bundle"))
                    .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN)
                    .header("Content-Type", "application/gzip")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(TestArchives.tarGz(
                            TestArchives.file("quotes.py", "import scrapy\n")))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        cluster.awaitSpider("uploaded", s -> s.getStatus() != null && s.getStatus().getBundle() != null);
    }

    /** {@code group/resource[/subresource]:verb} of one API request, as RBAC sees it. */
    static String permission(RecordedRequest request) {
        URI uri = URI.create(request.getPath());
        List<String> segments = List.of(uri.getPath().substring(1).split("/"));
        String group;
        List<String> rest;
        if (segments.get(0).equals("api")) {
            group = "";
            rest = segments.subList(2, segments.size());
        } else {
            group = segments.get(1);
            rest = segments.subList(3, segments.size());
        }
        if (rest.size() >= 2 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
        boolean named = rest.size() > 1;
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String verb = switch (request.getMethod()) {
            case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> request.getMethod();
        };
        return group + "/" + resource + ":" + verb;
    }
}
