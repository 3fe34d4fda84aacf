package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * What the target held before a sync took its lock: its hash cache and a walk of its tree. Read only when the
 * target has been synced before (its lock file exists) and no sync is changing it (the lock's generation is even),
 * and without writing anything, since the manifest has not been checked yet. Used only if no other sync took the
 * lock in between (the generation is unchanged when this sync holds the lock).
 */
record SyncPreload(String generation, HashCache cache, LocalTree.Walk walk) {

    /** The target's state as the last sync left it; null when there is nothing usable or it cannot be read. */
    static SyncPreload read(Path target, ExecutorService pool) {
        try {
            Path root = target.toRealPath();
            Path state = root.resolve(TargetDirectory.STATE_DIRECTORY);
            Path lockFile = state.resolve(TargetLock.FILE_NAME);
            if (!Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)
                    || !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            String generation = TargetLock.readGeneration(lockFile);
            if (!TargetLock.isSettled(generation)) {
                return null; // a sync is changing the target: a walk now could see half of its changes
            }
            Future<HashCache> cache = pool.submit(() -> HashCache.load(state));
            LocalTree.Walk walk = LocalTree.walk(root);
            return new SyncPreload(generation, cache.get(), walk);
        } catch (IOException | RuntimeException | ExecutionException unreadable) {
            return null; // the sync reads the target again once it holds the lock
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
