package io.kubecrawl.operator.spider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import org.junit.jupiter.api.Test;

/** The decide step for upload-sourced Spiders, and which Spider updates reach it. */
class UploadedBundleReaderTest {

    static final BundleManifest MANIFEST = new BundleManifest(List.of(new BundleFile("quotes.py", 0644, 3,
            "a".repeat(64))));

    @Test
    void noAnnotationAwaitsTheUpload() {
        BundleResolution resolution = UploadedBundleReader.read("ns", "quotes", UploadObservation.notUploaded());

        assertThat(resolution.problem()).hasValueSatisfying(p -> {
            assertThat(p.reason()).isEqualTo(SourceProblem.AWAITING_UPLOAD);
            assertThat(p.message()).contains("PUT a .tar.gz or .zip to /api/v1/namespaces/ns/spiders/quotes/bundle");
        });
    }

    @Test
    void aStoredManifestIsTheBundle() {
        BundleResolution resolution = UploadedBundleReader.read("ns", "quotes", new UploadObservation(
                Optional.of(MANIFEST.digest()), Optional.of(MANIFEST), Optional.empty()));

        assertThat(resolution.manifest()).contains(MANIFEST);
        assertThat(resolution.contents()).isEmpty();
    }

    @Test
    void aDigestTheStoreLacksOrAMalformedOneIsBundleIncomplete() {
        BundleResolution missing = UploadedBundleReader.read("ns", "quotes", new UploadObservation(
                Optional.of(MANIFEST.digest()), Optional.empty(), Optional.empty()));
        BundleResolution malformed = UploadedBundleReader.read("ns", "quotes", new UploadObservation(
                Optional.of("latest"), Optional.empty(), Optional.empty()));

        assertThat(missing.problem().orElseThrow().reason()).isEqualTo(SourceProblem.BUNDLE_INCOMPLETE);
        assertThat(missing.problem().orElseThrow().message()).contains(MANIFEST.digest()).contains("upload it again");
        assertThat(malformed.problem().orElseThrow().reason()).isEqualTo(SourceProblem.BUNDLE_INCOMPLETE);
        assertThat(malformed.problem().orElseThrow().message()).contains("'latest'");
    }

    @Test
    void anUnreadableStoreIsAStoreFailureRetriedLater() {
        BundleResolution resolution = UploadedBundleReader.read("ns", "quotes", new UploadObservation(
                Optional.of(MANIFEST.digest()), Optional.empty(), Optional.of("Input/output error")));

        assertThat(resolution.problem().orElseThrow().reason()).isEqualTo(SourceProblem.STORE_FAILED);
    }

    @Test
    void aSpiderReconcilesOnANewGenerationOrANewUploadButNotOnItsOwnStatus() {
        SpiderChangeFilter filter = new SpiderChangeFilter();
        Spider before = spider(1L, null);

        assertThat(filter.accept(spider(2L, null), before)).as("spec changed").isTrue();
        assertThat(filter.accept(spider(1L, MANIFEST.digest()), before)).as("uploaded").isTrue();
        assertThat(filter.accept(spider(1L, null), before)).as("status or other metadata changed").isFalse();
    }

    private static Spider spider(long generation, String uploaded) {
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName("quotes").withGeneration(generation)
                .withAnnotations(uploaded == null ? Map.of("other", "x")
                        : Map.of("other", "x", UploadedBundleAnnotation.NAME, uploaded)).build());
        return spider;
    }
}
