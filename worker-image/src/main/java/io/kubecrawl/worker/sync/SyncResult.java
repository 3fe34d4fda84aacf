package io.kubecrawl.worker.sync;

import java.time.Duration;

/**
 * What a completed sync did.
 *
 * @param files files the bundle has
 * @param fetched files downloaded
 * @param bytesFetched bytes received for them
 * @param unchanged files already in place
 * @param modesChanged files whose content was right but mode was not
 * @param deleted entries deleted (files the bundle no longer has, empty directories, things in the way)
 * @param hashedLocally local files read to learn their sha256 (the hash cache did not know them)
 * @param maxResumeOffset the largest offset a download resumed from, 0 if none did
 * @param elapsed how long the sync took, from the manifest request to the completion marker
 */
public record SyncResult(int files, int fetched, long bytesFetched, int unchanged, int modesChanged, int deleted,
        int hashedLocally, long maxResumeOffset, Duration elapsed) {
}
