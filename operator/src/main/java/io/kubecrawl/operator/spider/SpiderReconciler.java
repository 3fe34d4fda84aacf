package io.kubecrawl.operator.spider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.SpiderStatus;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;
import io.kubecrawl.operator.cluster.ResourcePages;
import io.kubecrawl.operator.events.ClusterEvent;
import io.kubecrawl.operator.events.EventRecorder;
import io.kubecrawl.operator.metrics.ReconcileDurations;
import io.kubecrawl.operator.status.StatusRecorder;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import org.jboss.logging.Logger;

/**
 * Resolves a Spider's source into a bundle: observe the source (the ConfigMap, or for an upload the bundle store's
 * manifest of the uploaded digest), decide the bundle and the status, act by storing the bundle and then recording
 * the status. A change to the source ConfigMap reaches the Spider through an event source, a new upload through the
 * Spider's {@link UploadedBundleAnnotation annotation}; neither is polled.
 */
@ControllerConfiguration(name = "spider", generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SpiderChangeFilter.class,
                informerListLimit = ResourcePages.PAGE_SIZE))
public class SpiderReconciler implements Reconciler<Spider> {

    static final String BY_CONFIG_MAP = "spiders-by-configmap";
    private static final Logger LOG = Logger.getLogger(SpiderReconciler.class);
    private static final Duration STORE_RETRY = Duration.ofSeconds(30);

    private final StatusRecorder statusRecorder;
    private final EventRecorder eventRecorder;
    private final BundleStore bundleStore;
    private final Clock clock;
    private final ReconcileDurations durations;

    public SpiderReconciler(StatusRecorder statusRecorder, EventRecorder eventRecorder, BundleStore bundleStore,
            Clock clock, ReconcileDurations durations) {
        this.durations = durations;
        this.statusRecorder = statusRecorder;
        this.eventRecorder = eventRecorder;
        this.bundleStore = bundleStore;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, Spider>> prepareEventSources(EventSourceContext<Spider> context) {
        context.getPrimaryCache().addIndexer(BY_CONFIG_MAP, spider -> configMapName(spider)
                .map(name -> List.of(indexKey(spider.getMetadata().getNamespace(), name)))
                .orElse(List.of()));
        var configMaps = InformerEventSourceConfiguration.from(ConfigMap.class, Spider.class)
                .withSecondaryToPrimaryMapper((ConfigMap configMap) -> context.getPrimaryCache()
                        .byIndex(BY_CONFIG_MAP, indexKey(configMap.getMetadata().getNamespace(),
                                configMap.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((Spider spider) -> configMapName(spider)
                        .map(name -> Set.of(new ResourceID(name, spider.getMetadata().getNamespace())))
                        .orElse(Set.of()))
                // Every ConfigMap of the cluster, not only Spiders' sources: the largest list the operator makes.
                .withInformerListLimit(ResourcePages.PAGE_SIZE)
                .build();
        return List.of(new InformerEventSource<>(configMaps, context));
    }

    @Override
    public UpdateControl<Spider> reconcile(Spider spider, Context<Spider> context) {
        return durations.time("spider", () -> reconcileTimed(spider, context));
    }

    private UpdateControl<Spider> reconcileTimed(Spider spider, Context<Spider> context) {
        Optional<ConfigMap> configMap = observeConfigMap(context.getSecondaryResource(ConfigMap.class),
                configMapName(spider), name -> context.getClient().configMaps()
                        .inNamespace(spider.getMetadata().getNamespace()).withName(name).get());
        UploadObservation upload = observeUpload(spider);
        BundleResolution resolution = store(resolve(spider, configMap, upload));
        SpiderStatus next = SpiderStatusBuilder.build(spider, resolution, clock.instant());
        if (statusRecorder.record(spider, next)) {
            readyChange(spider.getStatus(), next).ifPresent(event -> eventRecorder.record(spider, event));
        }
        boolean storeFailed = resolution.problem().filter(p -> p.reason().equals(SourceProblem.STORE_FAILED))
                .isPresent();
        return storeFailed ? UpdateControl.<Spider>noUpdate().rescheduleAfter(STORE_RETRY) : UpdateControl.noUpdate();
    }

    /**
     * Act, before any status names the digest: the files, then the manifest, go into the bundle store, so that the
     * bundle of a Ready Spider is always servable to workers. Contents already stored are only retained (their
     * garbage-collection age starts again), not written again.
     *
     * @return the resolution, or a failed one when the store cannot hold the bundle
     */
    private BundleResolution store(BundleResolution resolution) {
        if (resolution.manifest().isEmpty()) {
            return resolution;
        }
        BundleManifest manifest = resolution.manifest().get();
        try {
            for (BundleFile file : manifest.files()) {
                if (bundleStore.retain(file.sha256())) {
                    continue;
                }
                byte[] content = resolution.contents().get(file.sha256());
                if (content == null) {
                    return BundleResolution.failed(SourceProblem.BUNDLE_INCOMPLETE, "file '" + file.path()
                            + "' of bundle " + manifest.digest() + " is not in the operator's bundle store");
                }
                bundleStore.write(new ByteArrayInputStream(content), file.sha256());
            }
            bundleStore.putManifest(manifest);
            return resolution;
        } catch (IOException e) {
            LOG.warnf(e, "Cannot store bundle %s", manifest.digest());
            return BundleResolution.failed(SourceProblem.STORE_FAILED, "the operator cannot store bundle "
                    + manifest.digest() + " in its data directory (" + e.getMessage() + "); it retries in "
                    + STORE_RETRY.toSeconds() + "s");
        }
    }

    /**
     * Observe, for a Spider whose bundle is uploaded: the manifest the bundle store holds under the digest its last
     * upload recorded. Reading the store writes nothing.
     */
    private UploadObservation observeUpload(Spider spider) {
        if (!isUploadSourced(spider)) {
            return UploadObservation.notUploaded();
        }
        Optional<String> digest = UploadedBundleAnnotation.of(spider);
        if (digest.isEmpty() || !Sha256.isDigest(digest.get())) {
            return new UploadObservation(digest, Optional.empty(), Optional.empty());
        }
        try {
            return new UploadObservation(digest, bundleStore.manifest(digest.get()), Optional.empty());
        } catch (IOException e) {
            LOG.warnf(e, "Cannot read uploaded bundle %s of Spider %s/%s", digest.get(),
                    spider.getMetadata().getNamespace(), spider.getMetadata().getName());
            return new UploadObservation(digest, Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    /**
     * The Spider's ConfigMap: the informer's copy, or, when the informer has none, the API server's. A ConfigMap
     * created just before its Spider ({@code kubectl apply -f} of a folder, a GitOps sync) may not have reached the
     * informer when the Spider's first reconcile runs: only the server can say it does not exist, which is a Warning.
     */
    static Optional<ConfigMap> observeConfigMap(Optional<ConfigMap> cached, Optional<String> name,
            Function<String, ConfigMap> server) {
        if (cached.isPresent() || name.isEmpty()) {
            return cached;
        }
        return Optional.ofNullable(server.apply(name.get()));
    }

    /** Decide: the bundle the Spider's source gives, from what was observed. Pure. */
    static BundleResolution resolve(Spider spider, Optional<ConfigMap> configMap, UploadObservation upload) {
        SpiderSource source = spider.getSpec().getSource();
        if (source != null && source.getConfigMap() != null && source.getUpload() == null) {
            return ConfigMapBundleReader.read(spider.getMetadata().getNamespace(), source.getConfigMap(), configMap);
        }
        if (isUploadSourced(spider)) {
            return UploadedBundleReader.read(spider.getMetadata().getNamespace(), spider.getMetadata().getName(),
                    upload);
        }
        return BundleResolution.failed(SourceProblem.INVALID_SPEC,
                "spec.source must set exactly one of configMap and upload");
    }

    private static Optional<ClusterEvent> readyChange(SpiderStatus before, SpiderStatus after) {
        Optional<Condition> was = before == null ? Optional.empty() : before.condition(SpiderStatusBuilder.READY);
        Condition now = after.condition(SpiderStatusBuilder.READY).orElseThrow();
        boolean same = was.map(c -> c.getStatus().equals(now.getStatus()) && c.getReason().equals(now.getReason())
                && java.util.Objects.equals(c.getMessage(), now.getMessage())).orElse(false);
        if (same) {
            return Optional.empty();
        }
        // Waiting for the first upload is where every upload-sourced Spider starts, not something gone wrong.
        boolean normal = now.isTrue() || SourceProblem.AWAITING_UPLOAD.equals(now.getReason());
        return Optional.of(normal ? ClusterEvent.normal(now.getReason(), now.getMessage())
                : ClusterEvent.warning(now.getReason(), now.getMessage()));
    }

    private static boolean isUploadSourced(Spider spider) {
        SpiderSource source = spider.getSpec() == null ? null : spider.getSpec().getSource();
        return source != null && source.getUpload() != null && source.getConfigMap() == null;
    }

    private static Optional<String> configMapName(Spider spider) {
        SpiderSource source = spider.getSpec() == null ? null : spider.getSpec().getSource();
        return source == null || source.getConfigMap() == null ? Optional.empty()
                : Optional.ofNullable(source.getConfigMap().getName());
    }

    private static String indexKey(String namespace, String name) {
        return namespace + "/" + name;
    }
}
