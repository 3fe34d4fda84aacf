package io.kubecrawl.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

/**
 * The operator as its own issuer, and as the reader of what cert-manager issues, against an API server in CRUD mode:
 * the Secret is made once and reused by every later start, renewed under the same CA when due, reissued when the
 * Service names change, and never written when another issuer owns it.
 */
@EnableKubernetesMockClient(crud = true)
class ServingCertificateKeeperTest {
    static final String NAMESPACE = "kubecrawl-system";
    static final String SECRET = "kubecrawl-grpc-tls";
    static final List<String> NAMES = ServingCertificateNames.of("kubecrawl.kubecrawl-system.svc:9090",
            List.of("localhost"));
    static final Duration VALIDITY = Duration.ofDays(90);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    KubernetesClient client;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));

    static ServingCertificatePolicy policy(boolean generate, List<String> names) {
        return new ServingCertificatePolicy(NAMESPACE, SECRET, generate, names, VALIDITY, Duration.ofDays(3650),
                RENEW_BEFORE, Duration.ofHours(1));
    }

    ServingCertificateKeeper keeper() {
        return new ServingCertificateKeeper(client, policy(true, NAMES), clock);
    }

    Secret secret() {
        return client.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
    }

    @Test
    void theFirstStartIssuesACaAndACertificateForEveryServiceName() throws Exception {
        ServingCertificate serving = keeper().refresh();

        Secret secret = secret();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
        X509Certificate leaf = certificate(secret, "tls.crt");
        X509Certificate ca = certificate(secret, "ca.crt");
        leaf.verify(ca.getPublicKey());
        assertThat(leaf).isEqualTo(serving.leaf());
        assertThat(leaf.getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1)).containsExactlyInAnyOrder(
                "kubecrawl.kubecrawl-system.svc", "kubecrawl.kubecrawl-system.svc.cluster.local",
                "kubecrawl.kubecrawl-system", "kubecrawl", "localhost");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(VALIDITY));
        assertThat(serving.trustPem()).isEqualTo(text(secret, "ca.crt"));
    }

    @Test
    void laterStartsReuseTheValidCertificateWithoutWritingTheSecret() {
        ServingCertificate first = keeper().refresh();
        String version = secret().getMetadata().getResourceVersion();
        clock.advance(Duration.ofDays(10));

        ServingCertificate second = keeper().refresh();
        ServingCertificate third = keeper().refresh();

        assertThat(second.leaf()).isEqualTo(first.leaf());
        assertThat(third.leaf()).isEqualTo(first.leaf());
        assertThat(secret().getMetadata().getResourceVersion()).as("the Secret was not written again")
                .isEqualTo(version);
    }

    @Test
    void concurrentStartsAgreeOnOneCertificate() throws Exception {
        int starts = 6;
        ExecutorService pool = Executors.newFixedThreadPool(starts);
        CountDownLatch ready = new CountDownLatch(starts);
        try {
            List<Future<ServingCertificate>> served = new ArrayList<>();
            for (int i = 0; i < starts; i++) {
                ServingCertificateKeeper keeper = keeper();
                served.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return keeper.refresh();
                }));
            }
            X509Certificate stored = certificate(secretAfter(served), "tls.crt");
            for (Future<ServingCertificate> each : served) {
                assertThat(each.get(30, TimeUnit.SECONDS).leaf()).as("what each start serves").isEqualTo(stored);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Secret secretAfter(List<Future<ServingCertificate>> refreshes) throws Exception {
        for (Future<ServingCertificate> refresh : refreshes) {
            refresh.get(30, TimeUnit.SECONDS);
        }
        return secret();
    }

    @Test
    void aCertificateDueForRenewalIsRenewedUnderTheSameCa() throws Exception {
        ServingCertificateKeeper keeper = keeper();
        ServingCertificate first = keeper.refresh();
        String caBefore = text(secret(), "ca.crt");

        clock.advance(VALIDITY.minus(RENEW_BEFORE).plusHours(1));
        ServingCertificate renewed = keeper.refresh();

        assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
        assertThat(renewed.notAfter()).isEqualTo(clock.instant().plus(VALIDITY));
        assertThat(text(secret(), "ca.crt")).as("workers of running jobs keep trusting the CA").isEqualTo(caBefore);
        renewed.leaf().verify(certificate(secret(), "ca.crt").getPublicKey());
        assertThat(certificate(secret(), "tls.crt")).isEqualTo(renewed.leaf());
        assertThat(keeper.current()).contains(renewed);
    }

    @Test
    void aCertificateThatDoesNotNameTheServiceIsReissued() throws Exception {
        ServingCertificate first = keeper().refresh();

        List<String> renamed = ServingCertificateNames.of("crawl-operator.platform.svc:9090", List.of());
        ServingCertificate reissued = new ServingCertificateKeeper(client, policy(true, renamed), clock).refresh();

        assertThat(reissued.leaf()).isNotEqualTo(first.leaf());
        assertThat(reissued.leaf().getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1))
                .contains("crawl-operator.platform.svc");
    }

    @Test
    void aSecretOfAnotherIssuerIsReadAndNeverWritten() {
        ServingCertificateKeeper reader = new ServingCertificateKeeper(client, policy(false, NAMES), clock);
        assertThatThrownBy(reader::refresh).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not exist yet");
        assertThat(secret()).as("the operator made none").isNull();

        GrpcCertificateAuthority issuer = GrpcCertificateAuthority.generate("cert-manager CA", clock.instant(),
                Duration.ofDays(3650));
        ServingCertificate issued = issuer.issue(NAMES, clock.instant(), Duration.ofHours(1));
        Secret written = ServingCertificateSecret.build(NAMESPACE, SECRET, issuer, issued);
        written.getData().remove("ca.key");
        client.resource(written).create();
        String version = secret().getMetadata().getResourceVersion();
        clock.advance(Duration.ofMinutes(50));

        ServingCertificate served = reader.refresh();

        assertThat(served.leaf()).as("served as it is, though close to expiry").isEqualTo(issued.leaf());
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(reader.workerTrustPem()).isEqualTo(Pem.certificates(List.of(issuer.certificate())));
    }

    @Test
    void workersGetNoCaBeforeOneIsLoaded() {
        assertThatThrownBy(keeper()::workerTrustPem).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not loaded yet");
    }

    static X509Certificate certificate(Secret secret, String key) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(text(secret, key).getBytes(StandardCharsets.US_ASCII)));
    }

    static String text(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }
}
