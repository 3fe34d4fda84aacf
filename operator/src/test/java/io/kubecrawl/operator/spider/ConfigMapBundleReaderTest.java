package io.kubecrawl.operator.spider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.kubecrawl.crd.v1alpha1.ConfigMapSource;
import io.kubecrawl.crd.v1alpha1.KeyToPath;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.protocol.bundle.Sha256;
import org.junit.jupiter.api.Test;

class ConfigMapBundleReaderTest {

    private static final String SPIDER_PY = "import scrapy\n";
    private static final ConfigMap CODE = new ConfigMapBuilder().withNewMetadata().withName("code").endMetadata()
            .withData(Map.of("spider", SPIDER_PY, "copy", SPIDER_PY, "run", "#!/bin/sh\n"))
            .withBinaryData(Map.of("logo", "AAEC")).build();

    @Test
    void handsOverEachContentOnceUnderItsSha256ForTheStore() {
        BundleResolution resolution = ConfigMapBundleReader.read("crawls", MockCluster.configMapSource("code"),
                Optional.of(CODE));

        assertThat(resolution.manifest()).hasValueSatisfying(m -> assertThat(m.files()).hasSize(4));
        assertThat(resolution.contents()).hasSize(3)
                .containsEntry(Sha256.hex(SPIDER_PY.getBytes(StandardCharsets.UTF_8)),
                        SPIDER_PY.getBytes(StandardCharsets.UTF_8))
                .containsEntry(Sha256.hex(new byte[] {0, 1, 2}), new byte[] {0, 1, 2});
        assertThat(resolution.manifest().get().files()).allSatisfy(
                file -> assertThat(resolution.contents()).containsKey(file.sha256()));
    }

    @Test
    void aModeThatIsNotAPermissionModeIsAnInvalidSpec() {
        BundleResolution resolution = ConfigMapBundleReader.read("crawls",
                MockCluster.configMapSource("code", new KeyToPath("run", "run.sh", 010000)), Optional.of(CODE));

        assertThat(resolution.manifest()).isEmpty();
        assertThat(resolution.contents()).isEmpty();
        assertThat(resolution.problem()).hasValueSatisfying(problem -> {
            assertThat(problem.reason()).isEqualTo(SourceProblem.INVALID_SPEC);
            assertThat(problem.message()).contains("run.sh", "10000");
        });
    }

    @Test
    void aNegativeDefaultModeIsAnInvalidSpecToo() {
        ConfigMapSource source = MockCluster.configMapSource("code");
        source.setDefaultMode(-1);

        assertThat(ConfigMapBundleReader.read("crawls", source, Optional.of(CODE)).problem())
                .hasValueSatisfying(problem -> assertThat(problem.reason()).isEqualTo(SourceProblem.INVALID_SPEC));
    }
}
