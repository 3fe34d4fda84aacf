package io.kubecrawl.operator.frontier;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import org.junit.jupiter.api.Test;

/** The layout keeps its request lines packed; a batch gives back the requests exactly as they were read. */
class FrontierLayoutTest {

    @Test
    void aBatchGivesBackItsRequestsAsReadJsonAndNonAsciiLinesIncluded() {
        List<SeedRequest> seeds = SeedList.parse(List.of(
                "http://a.test/1",
                "{\"url\": \"http://a.test/2\", \"meta\": {\"page\": 2}}",
                "http://a.test/é/3",
                "  http://a.test/4  ",
                "http://a.test/5"));
        FrontierLayout layout = FrontierLayout.of(seeds, Partitioning.None, 1, 2);

        assertThat(layout.slots()).isEqualTo(1);
        assertThat(layout.batchCount(0)).isEqualTo(3);
        assertThat(layout.batch(new BatchId(0, 0))).containsExactly(seeds.get(0), seeds.get(1));
        assertThat(layout.batch(new BatchId(0, 1))).containsExactly(seeds.get(2), seeds.get(3));
        assertThat(layout.batch(new BatchId(0, 2))).containsExactly(seeds.get(4));
        assertThat(layout.batch(new BatchId(0, 0)).get(1).url()).isEqualTo("http://a.test/2");
        assertThat(layout.batch(new BatchId(0, 1)).get(1).line()).isEqualTo("http://a.test/4");
    }

    @Test
    void theDigestIsTheOneOfTheLinesAsWrittenWhateverTheSlots() {
        List<SeedRequest> seeds = SeedList.parse(List.of("http://a.test/1", "http://b.test/é"));
        assertThat(FrontierLayout.of(seeds, Partitioning.Host, 4, 1).seedsDigest())
                .isEqualTo(FrontierLayout.of(seeds, Partitioning.None, 1, 5).seedsDigest())
                .isEqualTo(io.kubecrawl.protocol.bundle.Sha256.DIGEST_PREFIX + io.kubecrawl.protocol.bundle.Sha256.hex(
                        sha256("http://a.test/1\nhttp://b.test/é\n")));
    }

    @Test
    void itKnowsEachSeedUrlInEverySlotAndNoOtherUrl() {
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add("http://host-" + (i % 7) + ".test/page/" + i);
        }
        lines.add("{\"url\": \"http://host-1.test/json\", \"method\": \"POST\"}");
        lines.add("http://host-2.test/page/3");
        lines.add("http://host-2.test/page/3");
        FrontierLayout layout = FrontierLayout.of(SeedList.parse(lines), Partitioning.Host, 4, 10);

        for (int i = 0; i < 500; i++) {
            assertThat(layout.hasSeedUrl("http://host-" + (i % 7) + ".test/page/" + i)).as("seed %d", i).isTrue();
            assertThat(layout.hasSeedUrl("http://host-" + (i % 7) + ".test/page/" + i + "/")).isFalse();
            assertThat(layout.hasSeedUrl("http://host-" + ((i + 1) % 7) + ".test/page/" + i)).isFalse();
        }
        assertThat(layout.hasSeedUrl("http://host-1.test/json")).isTrue();
        assertThat(layout.hasSeedUrl(lines.get(500))).as("a JSON line is not a URL").isFalse();
        assertThat(layout.hasSeedUrl("http://host-2.test/page/3")).isTrue();
        assertThat(layout.hasSeedUrl("")).isFalse();
    }

    private static java.security.MessageDigest sha256(String text) {
        java.security.MessageDigest digest = io.kubecrawl.protocol.bundle.Sha256.newDigest();
        digest.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return digest;
    }
}
