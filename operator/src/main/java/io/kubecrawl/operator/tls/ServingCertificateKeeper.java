package io.kubecrawl.operator.tls;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.kubecrawl.operator.config.OperatorSettings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * Keeps the gRPC serving certificate: loads it from its Secret at start, renews it before it expires (when the
 * operator is its own issuer) or picks up what cert-manager renewed, and hands it to the running server through a
 * reloading key manager, so that a new certificate serves the next handshake without a restart.
 *
 * <p>When the operator issues the certificate it is idempotent across restarts and concurrent starts: a Secret whose
 * certificate is still valid for longer than renew-before, names every Service name and was signed by the kept CA is
 * reused as it is; a new one is written with optimistic locking (create, or update at the resourceVersion read), and
 * the loser of a race reads and uses the winner's. The CA is kept too, so a renewed serving certificate is trusted by
 * the workers of jobs that started before.
 */
@ApplicationScoped
public class ServingCertificateKeeper {
    private static final Logger LOG = Logger.getLogger(ServingCertificateKeeper.class);
    /** How soon a failed load is tried again: until the first succeeds, handshakes fail. */
    private static final long RETRY_SECONDS = 5;
    private static final int WRITE_ATTEMPTS = 3;
    private static final String CA_COMMON_NAME = "kubecrawl gRPC CA";

    private final KubernetesClient client;
    private final ServingCertificatePolicy policy;
    private final Clock clock;
    private final boolean plaintext;
    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private volatile ServingCertificate current;
    private Instant nextCheck = Instant.MIN;
    private ScheduledExecutorService ticker;

    @Inject
    public ServingCertificateKeeper(KubernetesClient client, OperatorSettings settings, Clock clock) {
        this(client, settings.grpc().plaintext() ? null : ServingCertificatePolicy.of(settings, client.getNamespace()),
                clock);
    }

    /** @param policy null when gRPC is plaintext: there is nothing to keep */
    public ServingCertificateKeeper(KubernetesClient client, ServingCertificatePolicy policy, Clock clock) {
        this.client = client;
        this.policy = policy;
        this.clock = clock;
        this.plaintext = policy == null;
    }

    /** Early, before the operator reconciles: every job's Secret gets the CA from here. */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent start) {
        if (plaintext) {
            LOG.warn("gRPC serves plaintext (kubecrawl.grpc.plaintext): worker tokens cross the network unencrypted");
            return;
        }
        tick();
        ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kubecrawl-grpc-tls");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(this::tick, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    /** Refreshes when due: every check-interval, and every few seconds until a certificate is loaded. */
    private void tick() {
        Instant now = clock.instant();
        synchronized (this) {
            if (current != null && now.isBefore(nextCheck)) {
                return;
            }
        }
        try {
            refresh();
        } catch (RuntimeException failed) {
            LOG.warnf("gRPC serving certificate from Secret %s/%s not %s: %s; trying again in %d s",
                    policy.namespace(), policy.secretName(), current == null ? "loaded" : "refreshed",
                    failed.getMessage(), RETRY_SECONDS);
        }
    }

    public boolean plaintext() {
        return plaintext;
    }

    /** The certificate served now, if one is loaded. */
    public Optional<ServingCertificate> current() {
        return Optional.ofNullable(current);
    }

    /**
     * The CA (PEM) workers must trust, for each job's Secret.
     *
     * @throws IllegalStateException if no certificate is loaded yet: the job's reconcile is retried
     */
    public String workerTrustPem() {
        ServingCertificate serving = current;
        if (serving == null) {
            throw new IllegalStateException("the gRPC CA is not loaded yet from Secret " + policy.namespace() + "/"
                    + policy.secretName());
        }
        return serving.trustPem();
    }

    /**
     * A server SSL context whose key manager always presents the current certificate: one context for the server's
     * whole life.
     */
    public SslContext serverSslContext() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager), SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up the gRPC server's TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the Secret now, renews what is due (when the operator issues), and serves the result.
     *
     * @throws IllegalStateException if another issuer has not written the Secret yet, or it is malformed
     * @throws KubernetesClientException if the API server refuses or fails
     */
    public synchronized ServingCertificate refresh() {
        if (plaintext) {
            throw new IllegalStateException("gRPC is plaintext: there is no serving certificate");
        }
        Instant now = clock.instant();
        Secret secret = secret().get();
        ServingCertificate serving = policy.generate() ? issueIfDue(secret, now) : issuedElsewhere(secret);
        serve(serving);
        nextCheck = now.plus(policy.checkInterval());
        return serving;
    }

    private ServingCertificate issuedElsewhere(Secret secret) {
        if (secret == null) {
            throw new IllegalStateException("Secret " + policy.namespace() + "/" + policy.secretName()
                    + " does not exist yet; its issuer (cert-manager) writes it");
        }
        return ServingCertificateSecret.servingCertificate(secret);
    }

    private ServingCertificate issueIfDue(Secret secret, Instant now) {
        for (int attempt = 1; ; attempt++) {
            Optional<ServingCertificate> reusable = reusable(secret, now);
            if (reusable.isPresent()) {
                return reusable.get();
            }
            Secret next = issue(secret, now);
            try {
                Secret written = secret == null ? secrets().resource(next).create()
                        : secrets().resource(new SecretBuilder(next).editMetadata()
                                .withResourceVersion(secret.getMetadata().getResourceVersion()).endMetadata().build())
                                .update();
                ServingCertificate issued = ServingCertificateSecret.servingCertificate(written);
                LOG.infof("gRPC serving certificate issued into Secret %s/%s: %s for %s", policy.namespace(),
                        policy.secretName(), issued, policy.names());
                return issued;
            } catch (KubernetesClientException lost) {
                // 409: another start of the operator wrote the Secret first; read and judge what it wrote.
                if (lost.getCode() != 409 || attempt == WRITE_ATTEMPTS) {
                    throw lost;
                }
                secret = secret().get();
            }
        }
    }

    /** The Secret's certificate, if it can serve on: valid long enough, for every name, signed by the kept CA. */
    private Optional<ServingCertificate> reusable(Secret secret, Instant now) {
        if (secret == null) {
            return Optional.empty();
        }
        try {
            ServingCertificate serving = ServingCertificateSecret.servingCertificate(secret);
            Optional<GrpcCertificateAuthority> authority = ServingCertificateSecret.authority(secret);
            boolean reusable = serving.validFor(policy.renewBefore(), now)
                    && ServingCertificateNames.covers(serving.leaf(), policy.names())
                    && authority.isPresent() && authority.get().signed(serving.leaf())
                    && validFor(authority.get().certificate(), now);
            if (!reusable) {
                LOG.infof("gRPC serving certificate in Secret %s/%s is due for renewal: %s", policy.namespace(),
                        policy.secretName(), serving);
            }
            return reusable ? Optional.of(serving) : Optional.empty();
        } catch (IllegalArgumentException malformed) {
            LOG.warnf("Secret %s/%s holds no usable serving certificate (%s); issuing a new one", policy.namespace(),
                    policy.secretName(), malformed.getMessage());
            return Optional.empty();
        }
    }

    /** A new serving certificate, under the kept CA while that lasts, else under a new CA. */
    private Secret issue(Secret previous, Instant now) {
        GrpcCertificateAuthority authority = Optional.ofNullable(previous)
                .flatMap(ServingCertificateSecret::authority)
                .filter(kept -> validFor(kept.certificate(), now))
                .orElseGet(() -> {
                    if (previous != null) {
                        // Workers of jobs started before trust the old CA only (their Secrets are immutable).
                        LOG.warnf("gRPC CA in Secret %s/%s missing or expiring: making a new CA; workers of running "
                                + "jobs that trust the old one must be restarted", policy.namespace(),
                                policy.secretName());
                    }
                    return GrpcCertificateAuthority.generate(CA_COMMON_NAME, now, policy.caValidity());
                });
        ServingCertificate serving = authority.issue(policy.names(), now, policy.validity());
        return ServingCertificateSecret.build(policy.namespace(), policy.secretName(), authority, serving);
    }

    private boolean validFor(X509Certificate certificate, Instant now) {
        return now.plus(policy.renewBefore()).isBefore(certificate.getNotAfter().toInstant());
    }

    private void serve(ServingCertificate serving) {
        ServingCertificate before = current;
        if (before != null && before.leaf().equals(serving.leaf())) {
            return;
        }
        keyManager.updateIdentityCredentials(serving.chain().toArray(X509Certificate[]::new), serving.key());
        current = serving;
        LOG.infof("gRPC serves %s from Secret %s/%s", serving, policy.namespace(), policy.secretName());
    }

    private Resource<Secret> secret() {
        return secrets().withName(policy.secretName());
    }

    private NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets() {
        return client.secrets().inNamespace(policy.namespace());
    }
}
