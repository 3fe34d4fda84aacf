package io.kubecrawl.operator.frontier;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import org.junit.jupiter.api.Test;

class SlotAssignerTest {

    @Test
    void hostPartitioningKeepsOneHostInOneSlot() {
        SlotAssigner assigner = new SlotAssigner(Partitioning.Host, 16);

        Set<Integer> slots = IntStream.range(0, 200)
                .mapToObj(i -> new SeedRequest("http://Site-A.test/page/" + i + "?q=" + i, ""))
                .map(assigner::slotOf).collect(Collectors.toSet());

        assertThat(slots).hasSize(1);
        assertThat(assigner.slotOf(new SeedRequest("https://site-a.test/other", "")))
                .isEqualTo(slots.iterator().next());
    }

    @Test
    void urlPartitioningSpreadsOneHostOverSlots() {
        SlotAssigner assigner = new SlotAssigner(Partitioning.Url, 16);

        Set<Integer> slots = IntStream.range(0, 500)
                .mapToObj(i -> new SeedRequest("http://site-a.test/page/" + i, ""))
                .map(assigner::slotOf).collect(Collectors.toSet());

        assertThat(slots).hasSize(16);
    }

    @Test
    void assignmentIsFixedAcrossRunsAndVersions() {
        // Checked against the documented rule, computed independently by expected(): a change here means a restarted
        // operator would rebuild different batches than it recorded.
        SlotAssigner host = new SlotAssigner(Partitioning.Host, 16);
        SlotAssigner url = new SlotAssigner(Partitioning.Url, 7);
        List<Integer> hostSlots = List.of("http://a.test/", "http://b.test/", "http://c.test/").stream()
                .map(u -> host.slotOf(new SeedRequest(u, u))).toList();
        List<Integer> urlSlots = List.of("http://a.test/1", "http://a.test/2", "http://a.test/3").stream()
                .map(u -> url.slotOf(new SeedRequest(u, u))).toList();

        assertThat(hostSlots).isEqualTo(List.of(
                expected("a.test", 16), expected("b.test", 16), expected("c.test", 16)));
        assertThat(urlSlots).isEqualTo(List.of(
                expected("http://a.test/1", 7), expected("http://a.test/2", 7), expected("http://a.test/3", 7)));
    }

    @Test
    void aSeedParsedOnceHasTheSlotOfTheSameUrlParsedAgain() {
        List<SeedRequest> parsed = SeedList.parse(List.of("http://Site-A.test/1", "{\"url\": \"https://b.test:8443/2\"}"));
        SlotAssigner assigner = new SlotAssigner(Partitioning.Host, 16);

        assertThat(parsed).extracting(SeedRequest::host).containsExactly("Site-A.test", "b.test");
        assertThat(assigner.slotOf(parsed.get(0))).isEqualTo(expected("site-a.test", 16))
                .isEqualTo(new SlotAssigner(Partitioning.Host, 16).slotOf(new SeedRequest(parsed.get(0).url(), "")));
        assertThat(assigner.slotOf(parsed.get(1))).isEqualTo(expected("b.test", 16));
    }

    @Test
    void noneIsOneSlot() {
        SlotAssigner assigner = new SlotAssigner(Partitioning.None, 16);

        assertThat(assigner.slots()).isEqualTo(1);
        assertThat(assigner.slotOf(new SeedRequest("http://x.test/", ""))).isZero();
    }

    /** The documented rule, written out independently: first 8 bytes of SHA-256 as a signed long, floor-mod slots. */
    private static int expected(String key, int slots) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (d[i] & 0xff);
            }
            return (int) Math.floorMod(value, (long) slots);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
