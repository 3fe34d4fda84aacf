package io.kubecrawl.operator.crawljob;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.frontier.SeedList;
import io.kubecrawl.operator.frontier.SeedRequest;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;

/** Reads a job's seed requests from where its spec says: inline, a ConfigMap key, or a file of the job's bundle. */
final class SeedsReader {

    /**
     * The seeds' source does not exist. Not final when the user can still create it (a ConfigMap or key); final when
     * it never can (a file missing from the bundle the job pinned).
     */
    static final class SeedsNotFoundException extends RuntimeException {
        private final boolean fatal;

        SeedsNotFoundException(String message, boolean fatal) {
            super(message);
            this.fatal = fatal;
        }

        boolean fatal() {
            return fatal;
        }
    }

    private SeedsReader() {
    }

    /** Whether the seeds come from the job's bundle, and so can only be read once the job has pinned one. */
    static boolean fromBundle(CrawlJob crawlJob) {
        SeedsSource source = crawlJob.getSpec().getSeedsFrom();
        return source != null && source.getBundleFile() != null;
    }

    /**
     * @param pinnedBundle the digest of the bundle the job pinned; needed (and present) only when
     *        {@link #fromBundle} is true
     */
    static List<SeedRequest> read(CrawlJob crawlJob, KubernetesClient client, BundleStore bundles,
            Optional<String> pinnedBundle) {
        if (crawlJob.getSpec().getSeeds() != null) {
            return SeedList.parse(crawlJob.getSpec().getSeeds());
        }
        if (fromBundle(crawlJob)) {
            return fromBundleFile(crawlJob.getSpec().getSeedsFrom().getBundleFile(), bundles,
                    pinnedBundle.orElseThrow(() -> new IllegalStateException("no bundle pinned yet")));
        }
        ConfigMapKeyReference ref = crawlJob.getSpec().getSeedsFrom().getConfigMapKeyRef();
        String namespace = crawlJob.getMetadata().getNamespace();
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
        if (configMap == null) {
            throw new SeedsNotFoundException("ConfigMap " + ref.getName() + " named in spec.seedsFrom does not exist "
                    + "in namespace " + namespace, false);
        }
        String seeds = configMap.getData() == null ? null : configMap.getData().get(ref.getKey());
        if (seeds == null) {
            throw new SeedsNotFoundException("ConfigMap " + ref.getName() + " has no key " + ref.getKey()
                    + " named in spec.seedsFrom", false);
        }
        return SeedList.parse(seeds.lines().toList());
    }

    private static List<SeedRequest> fromBundleFile(String path, BundleStore bundles, String digest) {
        try {
            // Not final: the store refills a Spider's bundle from its source, and garbage collection keeps a
            // bundle pinned by an unfinished job, so a missing manifest is a passing state of the operator's volume.
            BundleManifest manifest = bundles.manifest(digest).orElseThrow(() -> new SeedsNotFoundException(
                    "bundle " + digest + " pinned by the job is not in the operator's bundle store", false));
            BundleFile file = manifest.files().stream().filter(f -> f.path().equals(path)).findFirst()
                    .orElseThrow(() -> new SeedsNotFoundException("the bundle " + digest + " the job runs has no file "
                            + path + " named in spec.seedsFrom.bundleFile", true));
            return SeedList.parse(lines(bundles, file));
        } catch (CharacterCodingException notText) {
            throw new SeedsNotFoundException("the seeds file " + path + " of bundle " + digest + " is not UTF-8 text",
                    true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the seeds file " + path + " of bundle " + digest, e);
        }
    }

    private static List<String> lines(BundleStore bundles, BundleFile file) throws IOException {
        List<String> lines = new ArrayList<>();
        // Decoded strictly: a binary file named by mistake is reported, not turned into replacement characters.
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(bundles.open(file.sha256()),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
