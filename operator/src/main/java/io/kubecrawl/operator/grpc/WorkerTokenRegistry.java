package io.kubecrawl.operator.grpc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.operator.crawljob.ChildNames;
import io.kubecrawl.protocol.WorkerEnvironment;
import io.kubecrawl.operator.crawljob.WorkerLabels;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Knows each CrawlJob's worker token, from the token Secret the operator created for the job
 * ({@code <job>-worker-token}, key {@code token}, managed by the operator). Secrets are read on demand and kept for a
 * short while, so a worker's many calls cost the API server one read now and then.
 *
 * <p>Only the sha256 of a token is kept, and tokens are compared by their sha256 with
 * {@link MessageDigest#isEqual}, in time that depends on neither token.
 */
@ApplicationScoped
public class WorkerTokenRegistry {

    /** How long a Secret read is trusted. Token Secrets are immutable; only deleting a job changes them. */
    static final Duration TTL = Duration.ofSeconds(30);
    /**
     * A token that does not match a Secret read longer ago than this makes the registry read the Secret again: the
     * job may have been deleted and created again with a new token. Bounds the reads a wrong token can cause.
     */
    static final Duration RECHECK_AFTER = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final Clock clock;
    private final Cache<CrawlJobName, TokenSecret> secrets = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(TTL)
            .build();

    public WorkerTokenRegistry(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * @return the job, when {@code token} is its worker token; empty when it is not, or the job has no token Secret
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the Secret cannot be read now
     */
    public Optional<AuthenticatedJob> authenticate(CrawlJobName job, String token) {
        byte[] presented = Sha256.newDigest().digest(token.getBytes(StandardCharsets.UTF_8));
        TokenSecret secret = secrets.get(job, this::read);
        if (!secret.matches(presented) && secret.readBefore(clock.instant().minus(RECHECK_AFTER))) {
            secrets.invalidate(job);
            secret = secrets.get(job, this::read);
        }
        return secret.matches(presented) ? Optional.of(new AuthenticatedJob(job, secret.crawlJobUid()))
                : Optional.empty();
    }

    private TokenSecret read(CrawlJobName job) {
        Secret secret = client.secrets().inNamespace(job.namespace()).withName(ChildNames.workerToken(job.name()))
                .get();
        Instant now = clock.instant();
        if (secret == null || !isTokenSecretOf(secret, job)) {
            return new TokenSecret(Optional.empty(), Optional.empty(), now);
        }
        String encoded = secret.getData() == null ? null : secret.getData().get(WorkerEnvironment.TOKEN_KEY);
        if (encoded == null || encoded.isEmpty()) {
            return new TokenSecret(Optional.empty(), Optional.empty(), now);
        }
        String token = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).strip();
        byte[] hash = Sha256.newDigest().digest(token.getBytes(StandardCharsets.UTF_8));
        return new TokenSecret(Optional.of(hash), ownerUid(secret), now);
    }

    /** A Secret of the same name that the operator did not make for this job opens nothing. */
    private static boolean isTokenSecretOf(Secret secret, CrawlJobName job) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null
                && WorkerLabels.MANAGED_BY_VALUE.equals(labels.get(WorkerLabels.MANAGED_BY))
                && job.name().equals(labels.get(WorkerLabels.CRAWLJOB));
    }

    private static Optional<String> ownerUid(Secret secret) {
        return secret.getMetadata().getOwnerReferences().stream()
                .filter(owner -> "CrawlJob".equals(owner.getKind()) && Boolean.TRUE.equals(owner.getController()))
                .map(OwnerReference::getUid)
                .findFirst();
    }

    /** What one read of a token Secret found: the token's sha256, if there was a usable Secret. */
    private record TokenSecret(Optional<byte[]> tokenSha256, Optional<String> crawlJobUid, Instant readAt) {

        boolean matches(byte[] presentedSha256) {
            return tokenSha256.map(expected -> MessageDigest.isEqual(expected, presentedSha256)).orElse(false);
        }

        boolean readBefore(Instant instant) {
            return readAt.isBefore(instant);
        }
    }
}
