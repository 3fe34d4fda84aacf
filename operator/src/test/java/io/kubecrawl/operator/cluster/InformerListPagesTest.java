package io.kubecrawl.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubecrawl.operator.testing.MockCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/**
 * The operator lists every collection its informers cache a page at a time, from its first request on: a large
 * cluster's CrawlJobs (and their worker Jobs and Secrets, and the ConfigMaps) are never one response decoded whole at
 * the start. The mock API server does not page, so this shows what the operator asks for; a real API server answers
 * it with pages and continue tokens.
 */
@QuarkusTest
@TestProfile(InformerListPagesTest.OwnApiServer.class)
@WithKubernetesTestServer(crud = true)
class InformerListPagesTest {

    /** A profile of its own gives this test a fresh operator and API server, whose every request is recorded. */
    public static class OwnApiServer implements QuarkusTestProfile {
    }

    private static final Pattern NAMED_OBJECT = Pattern.compile("/apis?/.*/namespaces/[^/]+/[^/]+/[^/?]+");

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Test
    void everyInformerListsAPageAtATime() {
        List<String> lists = new ArrayList<>();
        for (RecordedRequest request : new MockCluster(client, server.getKubernetesMockServer()).drainRequests()) {
            String path = request.getPath();
            // A GET of one named object (the gRPC certificate's Secret, read at start) is not a list.
            if ("GET".equals(request.getMethod()) && !path.contains("watch=true")
                    && !NAMED_OBJECT.matcher(path).matches() && !MockCluster.TEST_USER_AGENT.equals(request.getHeader("User-Agent"))) {
                lists.add(path);
            }
        }

        assertThat(lists).as("the operator's list requests since its start")
                .anySatisfy(path -> assertThat(path).startsWith("/apis/kubecrawl.io/v1alpha1/crawljobs?"))
                .anySatisfy(path -> assertThat(path).startsWith("/apis/kubecrawl.io/v1alpha1/spiders?"))
                .anySatisfy(path -> assertThat(path).startsWith("/apis/batch/v1/jobs?"))
                .anySatisfy(path -> assertThat(path).startsWith("/api/v1/secrets?"))
                .anySatisfy(path -> assertThat(path).startsWith("/api/v1/configmaps?"))
                .allSatisfy(path -> assertThat(path).contains("limit=" + ResourcePages.PAGE_SIZE));
    }
}
