package io.kubecrawl.operator.frontier.discovered;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that halts in the middle of its work, without closing the store, loses nothing it committed: what was
 * checkpointed is there (the status may have recorded it), and so is everything committed after it, since each write
 * reached the WAL before its call returned; only a crash of the machine could lose those.
 */
class DiscoveredStoreCrashTest {

    @TempDir
    Path directory;

    @Test
    void committedWorkSurvivesAHaltedProcessAndCutBatchesAreOpenAgain() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CommitThenHalt.class.getName(), directory.toString())
                .redirectErrorStream(true).start();
        Map<String, String> said = new HashMap<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                int space = line.indexOf(' ');
                if (space > 0) {
                    said.put(line.substring(0, space), line.substring(space + 1));
                }
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(output.toString()).isTrue();
        assertThat(child.exitValue()).as(output.toString()).isEqualTo(3);
        assertThat(said).as(output.toString()).containsKeys("checkpointed", "open", "counts");

        try (DiscoveredRequestStore store = DiscoveredRequestStore.open(directory)) {
            JobKey job = CommitThenHalt.JOB;
            store.checkNotBehind(job, Long.parseLong(said.get("checkpointed")));
            DiscoveredCounts counts = store.counts(job);
            assertThat(counts.toString()).isEqualTo(said.get("counts"));
            assertThat(counts.discovered()).isEqualTo(50 * 20);
            assertThat(counts.duplicatesDropped()).isEqualTo(49 * 5);
            assertThat(counts.done()).isEqualTo(25);
            assertThat(store.openBatches(job)).hasSize(2).anySatisfy(batch ->
                    assertThat(batch.id().number()).isEqualTo(Integer.parseInt(said.get("open"))));
            assertThat(store.openBatches(job)).allSatisfy(batch -> assertThat(batch.requests()).hasSize(25));
            long drained = 0;
            for (int slot : store.queuedBySlot(job).keySet()) {
                while (store.cutBatch(job, slot, 100).isPresent()) {
                    drained++;
                }
            }
            assertThat(drained).isPositive();
            assertThat(store.counts(job).leased()).isEqualTo(counts.leased() + counts.queued());
        }
    }
}
