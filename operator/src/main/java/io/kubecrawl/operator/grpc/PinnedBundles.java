package io.kubecrawl.operator.grpc;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.v1.Manifest;
import org.jboss.logging.Logger;

/**
 * The bundle a CrawlJob pinned ({@code status.bundleDigest}), the only one its worker token opens.
 *
 * <p>A pinned digest never changes for a job, and a manifest never changes for a digest, so both are kept once read:
 * a sync of a bundle with many files reads the CrawlJob once, not once per file. Digests are kept by CrawlJob uid, so
 * a job deleted and created again under the same name is read afresh. With a manifest are kept its proto (whose
 * digest is the sha256 of its canonical form, costly for a bundle of many files) and its files by content sha256.
 */
@ApplicationScoped
public class PinnedBundles {

    private static final Logger LOG = Logger.getLogger(PinnedBundles.class);

    private final KubernetesClient client;
    private final BundleStore store;
    private final Cache<String, String> digestByJobUid = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Cache<String, PinnedBundle> bundleByDigest = Caffeine.newBuilder().maximumSize(64).build();

    public PinnedBundles(KubernetesClient client, BundleStore store) {
        this.client = client;
        this.store = store;
    }

    /**
     * The bundle {@code job} pinned: its manifest as sent over gRPC, and its files.
     *
     * @param requestedDigest the digest the worker asks for; empty asks for whatever its job pinned
     * @throws StatusException PERMISSION_DENIED when {@code requestedDigest} is another bundle; NOT_FOUND when the
     *     job or its bundle is unknown; UNAVAILABLE when the job has not pinned a bundle yet or the cluster cannot be
     *     read (both pass: retry)
     */
    public PinnedBundle bundleOf(AuthenticatedJob job, String requestedDigest) throws StatusException {
        String pinned = pinnedDigest(job);
        if (!requestedDigest.isEmpty() && !requestedDigest.equals(pinned)) {
            throw Status.PERMISSION_DENIED.withDescription("CrawlJob " + job.name() + " runs bundle " + pinned
                    + "; its token opens no other").asException();
        }
        PinnedBundle cached = bundleByDigest.getIfPresent(pinned);
        if (cached != null) {
            return cached;
        }
        try {
            BundleManifest manifest = store.manifest(pinned).orElseThrow(() -> Status.NOT_FOUND
                    .withDescription("bundle " + pinned + " of CrawlJob " + job.name()
                            + " is not in the operator's bundle store")
                    .asException());
            PinnedBundle bundle = PinnedBundle.of(manifest);
            bundleByDigest.put(pinned, bundle);
            return bundle;
        } catch (IOException e) {
            LOG.errorf(e, "Cannot read manifest %s", pinned);
            throw Status.INTERNAL.withDescription("the operator cannot read bundle " + pinned).asException();
        }
    }

    private String pinnedDigest(AuthenticatedJob job) throws StatusException {
        String known = job.uid().map(digestByJobUid::getIfPresent).orElse(null);
        if (known != null) {
            return known;
        }
        CrawlJob crawlJob;
        try {
            crawlJob = client.resources(CrawlJob.class).inNamespace(job.name().namespace())
                    .withName(job.name().name()).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("Cannot read CrawlJob %s: %s", job.name(), e.getMessage());
            throw Status.UNAVAILABLE.withDescription("the operator cannot read CrawlJob " + job.name() + " now; retry")
                    .asException();
        }
        if (crawlJob == null || job.uid().filter(uid -> !uid.equals(crawlJob.getMetadata().getUid())).isPresent()) {
            throw Status.NOT_FOUND.withDescription("CrawlJob " + job.name() + " does not exist").asException();
        }
        String digest = crawlJob.getStatus() == null ? null : crawlJob.getStatus().getBundleDigest();
        if (digest == null) {
            throw Status.UNAVAILABLE.withDescription("CrawlJob " + job.name() + " has not pinned a bundle yet; retry")
                    .asException();
        }
        job.uid().ifPresent(uid -> digestByJobUid.put(uid, digest));
        return digest;
    }

    /**
     * A pinned bundle with what serving it needs, computed once: its manifest's proto (whose digest is costly to
     * compute for many files), and its files by content sha256.
     */
    public record PinnedBundle(Manifest proto, Map<String, BundleFile> bySha256) {

        static PinnedBundle of(BundleManifest manifest) {
            Map<String, BundleFile> bySha256 = new HashMap<>();
            for (BundleFile file : manifest.files()) {
                bySha256.putIfAbsent(file.sha256(), file);
            }
            return new PinnedBundle(manifest.toProto(), Map.copyOf(bySha256));
        }

        /**
         * A file of this bundle whose content has this sha256 (several files may share it; the first by path is
         * returned).
         *
         * @param job the job whose token asks, named in the refusal
         * @throws StatusException PERMISSION_DENIED when the bundle has no such file
         */
        public BundleFile file(AuthenticatedJob job, String sha256) throws StatusException {
            BundleFile file = bySha256.get(sha256);
            if (file == null) {
                throw Status.PERMISSION_DENIED.withDescription("bundle " + proto.getDigest() + " of CrawlJob "
                        + job.name() + " has no file with sha256 " + sha256).asException();
            }
            return file;
        }
    }
}
