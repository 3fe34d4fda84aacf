package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.TIMEOUT;
import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.kubecrawl.crd.v1alpha1.Spider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle upload API on a real cluster: the operator asks the API server who the caller is (TokenReview) and
 * whether it may update the Spider (SubjectAccessReview), as the chart's RBAC lets it, and the server answers with
 * its real authenticators and RBAC. ServiceAccount tokens come from the TokenRequest API, as {@code kubectl create
 * token} gets them. In order: the Spider has no bundle until the one upload that may.
 */
@ExtendWith(ClusterUnderTest.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(3)
class UploadOnClusterTest {
    private static final String NAMESPACE = "kubecrawl-upload";
    private static final String SPIDER = "quotes-upload";

    @TempDir
    static Path work;
    private static Path archive;

    @BeforeAll
    static void applyTheUploadExampleAndPackTheProject() throws Exception {
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).serverSideApply();
        try (InputStream yaml = Files.newInputStream(Checkout.ROOT.resolve("examples/upload/spider.yaml"))) {
            for (HasMetadata loaded : client().load(yaml).items()) {
                Spider spider = client().getKubernetesSerialization().convertValue(loaded, Spider.class);
                spider.getSpec().getRuntime().setImage(cluster().workerImage());
                client().resource(spider).inNamespace(NAMESPACE).create();
            }
        }
        archive = work.resolve("quotes.tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C",
                Checkout.ROOT.resolve("examples/quotes/project").toString(), ".").inheritIO().start();
        assertThat(tar.waitFor()).as("tar of examples/quotes/project").isZero();
        serviceAccount("reader", false);
        serviceAccount("uploader", true);
    }

    @Test
    @Order(1)
    void anUploadWithoutATokenIsUnauthorized() throws Exception {
        HttpResponse<String> answer = CrawlOnClusterTest.api().upload(NAMESPACE, SPIDER, archive, null);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(401);
    }

    @Test
    @Order(2)
    void anUploadByAServiceAccountThatMayNotUpdateSpidersIsForbidden() throws Exception {
        HttpResponse<String> answer = CrawlOnClusterTest.api().upload(NAMESPACE, SPIDER, archive, token("reader"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
        Spider spider = client().resources(Spider.class).inNamespace(NAMESPACE).withName(SPIDER).require();
        assertThat(spider.getStatus() == null ? null : spider.getStatus().getBundle()).as("bundle of the Spider")
                .isNull();
    }

    @Test
    @Order(3)
    void anUploadByAServiceAccountThatMayUpdateSpidersMakesTheSpiderReady() throws Exception {
        HttpResponse<String> answer = CrawlOnClusterTest.api().upload(NAMESPACE, SPIDER, archive,
                token("uploader"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"digest\":\"sha256:");
        await("Spider " + SPIDER + " with the uploaded bundle").atMost(TIMEOUT).untilAsserted(() -> {
            Spider spider = client().resources(Spider.class).inNamespace(NAMESPACE).withName(SPIDER).require();
            assertThat(spider.getStatus().getBundle()).isNotNull();
            assertThat(answer.body()).contains(spider.getStatus().getBundle().getDigest());
        });
    }

    /** A ServiceAccount, with a Role that lets it update Spiders when {@code mayUpload}. */
    private static void serviceAccount(String name, boolean mayUpload) {
        client().serviceAccounts().inNamespace(NAMESPACE).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName(name).endMetadata().build()).create();
        if (!mayUpload) {
            return;
        }
        client().rbac().roles().inNamespace(NAMESPACE).resource(new RoleBuilder().withNewMetadata()
                .withName("spider-uploader").endMetadata()
                .addNewRule().withApiGroups("kubecrawl.io").withResources("spiders").withVerbs("get", "update")
                .endRule().build()).create();
        client().rbac().roleBindings().inNamespace(NAMESPACE).resource(new RoleBindingBuilder().withNewMetadata()
                .withName(name + "-uploads").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                .withName("spider-uploader").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(NAMESPACE).endSubject()
                .build()).create();
    }

    private static String token(String serviceAccount) {
        return client().serviceAccounts().inNamespace(NAMESPACE).withName(serviceAccount)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
    }
}
