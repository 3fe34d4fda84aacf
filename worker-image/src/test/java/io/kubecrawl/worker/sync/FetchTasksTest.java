package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.kubecrawl.protocol.bundle.BundleFile;
import org.junit.jupiter.api.Test;

class FetchTasksTest {

    private static BundleFile file(int i, long size) {
        return new BundleFile("f" + i, 0644, size, "%064x".formatted(i));
    }

    private static List<BundleFile> files(int count, long size) {
        List<BundleFile> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(file(i, size));
        }
        return files;
    }

    @Test
    void tenThousandSmallFilesMakeGroupsOfTheLargestSize() {
        List<FetchTasks.Task> tasks = FetchTasks.of(files(10_000, 10 << 10), 4);

        assertThat(tasks).allMatch(FetchTasks.Task::grouped).hasSize(40);
        assertThat(tasks).allSatisfy(task -> assertThat(task.files()).hasSizeLessThanOrEqualTo(256));
    }

    @Test
    void aFewSmallFilesAreSpreadOverTheThreads() {
        assertThat(FetchTasks.of(files(10, 100), 4)).extracting(task -> task.files().size())
                .containsExactly(3, 3, 3, 1);
    }

    @Test
    void largeAndEmptyFilesStayAloneAndAGroupStopsAtEightMebibytes() {
        List<BundleFile> files = new ArrayList<>(files(40, 250 << 10));
        files.add(file(100, FetchTasks.SMALL_FILE_BYTES + 1));
        files.add(file(101, 0));

        List<FetchTasks.Task> tasks = FetchTasks.of(files, 1);

        assertThat(tasks).filteredOn(FetchTasks.Task::grouped).allSatisfy(task -> assertThat(
                task.files().stream().mapToLong(BundleFile::size).sum()).isLessThanOrEqualTo(8L << 20));
        assertThat(tasks).filteredOn(FetchTasks.Task::grouped).extracting(task -> task.files().size())
                .containsExactly(32, 8);
        assertThat(tasks).filteredOn(task -> !task.grouped()).extracting(task -> task.files().get(0).size())
                .containsExactly(FetchTasks.SMALL_FILE_BYTES + 1, 0L);
    }
}
