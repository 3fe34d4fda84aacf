package io.kubecrawl.worker.sync;

import java.util.ArrayList;
import java.util.List;

import io.kubecrawl.protocol.bundle.BundleFile;

/**
 * How the files to download are split among the fetching threads: each large file is a task of its own (ReadFile,
 * which resumes), and small files go in groups fetched by one ReadFiles call each. Empty files stay alone too: they
 * need no call at all.
 */
final class FetchTasks {
    /** Files up to this size are fetched in groups. */
    static final long SMALL_FILE_BYTES = 256 << 10;
    /** Files in one group, at most: well under the server's limit of 1,000. */
    static final int MAX_GROUP_FILES = 256;
    /** Bytes in one group, at most: a failed group costs at most this much again. */
    static final long MAX_GROUP_BYTES = 8L << 20;

    /** Files fetched by one thread in one go; {@code grouped} when they come in one ReadFiles call. */
    record Task(List<BundleFile> files, boolean grouped) {
    }

    private FetchTasks() {
    }

    /**
     * The tasks for {@code files}, in their order. Groups are also kept small enough that the small files make at
     * least {@code parallelism} groups where they can, so that no thread idles while another fetches a whole bundle.
     */
    static List<Task> of(List<BundleFile> files, int parallelism) {
        long smallFiles = files.stream().filter(FetchTasks::isGroupable).count();
        int groupFiles = (int) Math.max(1, Math.min(MAX_GROUP_FILES, ceilDiv(smallFiles, parallelism)));
        List<Task> tasks = new ArrayList<>();
        List<BundleFile> group = new ArrayList<>();
        long groupBytes = 0;
        for (BundleFile file : files) {
            if (!isGroupable(file)) {
                tasks.add(new Task(List.of(file), false));
                continue;
            }
            if (!group.isEmpty() && (group.size() >= groupFiles || groupBytes + file.size() > MAX_GROUP_BYTES)) {
                tasks.add(new Task(List.copyOf(group), true));
                group.clear();
                groupBytes = 0;
            }
            group.add(file);
            groupBytes += file.size();
        }
        if (!group.isEmpty()) {
            tasks.add(new Task(List.copyOf(group), true));
        }
        return tasks;
    }

    private static boolean isGroupable(BundleFile file) {
        return file.size() > 0 && file.size() <= SMALL_FILE_BYTES;
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}
