package io.kubecrawl.operator.crawljob;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.cluster.MetadataReader;
import io.kubecrawl.operator.cluster.SharedReads;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierLayouts;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Reads a job's seeds from where its spec says (inline, a ConfigMap key, or a file of the job's bundle) into its
 * frontier layout. The seeds are named by what identifies their content before it is parsed (a ConfigMap's
 * resourceVersion, a bundle file's sha256, a digest of inline lines), so that jobs sharing a seed list share one
 * layout, parsed once ({@link FrontierLayouts}).
 */
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

    private record ConfigMapName(String namespace, String name) {
    }

    private final BundleStore bundles;
    private final FrontierLayouts layouts;
    private final SharedReads<ConfigMapName, Optional<ObjectMeta>> configMapMetadata = new SharedReads<>();

    SeedsReader(BundleStore bundles, FrontierLayouts layouts) {
        this.bundles = bundles;
        this.layouts = layouts;
    }

    /** Whether the seeds come from the job's bundle, and so can only be read once the job has pinned one. */
    static boolean fromBundle(CrawlJob crawlJob) {
        SeedsSource source = crawlJob.getSpec().getSeedsFrom();
        return source != null && source.getBundleFile() != null;
    }

    /**
     * @param pinnedBundle the digest of the bundle the job pinned; needed (and present) only when
     *        {@link #fromBundle} is true
     * @throws SeedsNotFoundException when the seeds' source does not exist
     * @throws io.kubecrawl.operator.frontier.InvalidSeedException when a seed line is not a request
     */
    FrontierLayout layout(CrawlJob crawlJob, KubernetesClient client, Optional<String> pinnedBundle) {
        if (crawlJob.getSpec().getSeeds() != null) {
            List<String> seeds = crawlJob.getSpec().getSeeds();
            return layouts.layout(contentName(seeds), CrawlJobSpecs.layoutSettings(crawlJob), () -> seeds);
        }
        if (fromBundle(crawlJob)) {
            return fromBundleFile(crawlJob, pinnedBundle.orElseThrow(
                    () -> new IllegalStateException("no bundle pinned yet")));
        }
        ConfigMapKeyReference ref = crawlJob.getSpec().getSeedsFrom().getConfigMapKeyRef();
        String namespace = crawlJob.getMetadata().getNamespace();
        // The metadata first: jobs sharing a seed list find its layout by the ConfigMap's resourceVersion, which
        // changes with every write of it, without each fetching the whole list (after a restart, every job at once),
        // and jobs asking at once share one read of it.
        ObjectMeta metadata = configMapMetadata.read(new ConfigMapName(namespace, ref.getName()),
                () -> MetadataReader.configMap(client, namespace, ref.getName()))
                .orElseThrow(() -> configMapNotFound(ref, namespace));
        if (metadata.getResourceVersion() == null) {
            String seeds = seeds(client, namespace, ref);
            return layouts.layout(contentName(List.of(seeds)), CrawlJobSpecs.layoutSettings(crawlJob),
                    () -> seeds.lines().toList());
        }
        // Read when no job has the layout yet; if the ConfigMap was written since its metadata was read, these are
        // the newer lines, which a job reading now would get anyway.
        return layouts.layout("configmap " + namespace + "/" + ref.getName() + " key " + ref.getKey() + " at "
                + metadata.getResourceVersion(), CrawlJobSpecs.layoutSettings(crawlJob),
                () -> seeds(client, namespace, ref).lines().toList());
    }

    private static String seeds(KubernetesClient client, String namespace, ConfigMapKeyReference ref) {
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
        if (configMap == null) {
            throw configMapNotFound(ref, namespace);
        }
        String seeds = configMap.getData() == null ? null : configMap.getData().get(ref.getKey());
        if (seeds == null) {
            throw new SeedsNotFoundException("ConfigMap " + ref.getName() + " has no key " + ref.getKey()
                    + " named in spec.seedsFrom", false);
        }
        return seeds;
    }

    private static SeedsNotFoundException configMapNotFound(ConfigMapKeyReference ref, String namespace) {
        return new SeedsNotFoundException("ConfigMap " + ref.getName() + " named in spec.seedsFrom does not exist "
                + "in namespace " + namespace, false);
    }

    private FrontierLayout fromBundleFile(CrawlJob crawlJob, String digest) {
        String path = crawlJob.getSpec().getSeedsFrom().getBundleFile();
        Optional<BundleManifest> stored;
        try {
            stored = bundles.manifest(digest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the seeds file " + path + " of bundle " + digest, e);
        }
        // Not final: the store refills a Spider's bundle from its source, and garbage collection keeps a bundle
        // pinned by an unfinished job, so a missing manifest is a passing state of the operator's volume.
        BundleManifest manifest = stored.orElseThrow(() -> new SeedsNotFoundException(
                "bundle " + digest + " pinned by the job is not in the operator's bundle store", false));
        BundleFile file = manifest.files().stream().filter(f -> f.path().equals(path)).findFirst()
                .orElseThrow(() -> new SeedsNotFoundException("the bundle " + digest + " the job runs has no file "
                        + path + " named in spec.seedsFrom.bundleFile", true));
        // The store holds files by content, so the file's sha256 names its lines in any bundle.
        return layouts.layout("bundle file " + file.sha256(), CrawlJobSpecs.layoutSettings(crawlJob), () -> {
            try {
                return lines(file);
            } catch (CharacterCodingException notText) {
                throw new SeedsNotFoundException("the seeds file " + path + " of bundle " + digest
                        + " is not UTF-8 text", true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the seeds file " + path + " of bundle " + digest, e);
            }
        });
    }

    private List<String> lines(BundleFile file) throws IOException {
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

    /**
     * A name of {@code lines} by their content. Each line's length goes in before it, so that no two different lists
     * have the same name (joined with newlines, {@code ["a\nb"]} and {@code ["a", "b"]} would).
     */
    private static String contentName(List<String> lines) {
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
        for (String line : lines) {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            digest.update(length.clear().putInt(bytes.length).array());
            digest.update(bytes);
        }
        return "lines " + Sha256.DIGEST_PREFIX + Sha256.hex(digest);
    }
}
