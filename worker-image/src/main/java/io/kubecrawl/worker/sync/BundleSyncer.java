package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.worker.UntrustedOperatorCertificate;

/**
 * One sync of a bundle into a target directory, start to end. A target whose completion marker names the pinned
 * bundle and whose files all still match the hash cache is left as it is, without reading the manifest
 * ({@link #unchangedSinceLastSync}); any other goes through these steps:
 *
 * <ol>
 * <li>fetch the manifest of the pinned bundle and check it ({@link ManifestCheck}) before anything is written;
 * <li>lock the target ({@link TargetLock}) and remove the completion marker;
 * <li>find what the target holds ({@link LocalTree}, with the {@link HashCache}) and diff it with the manifest
 * ({@link SyncPlan});
 * <li>delete what the bundle does not have, fix modes, download the rest ({@link BundleDownload});
 * <li>fsync the directories that changed, save the hash cache, and write the completion marker last.
 * </ol>
 *
 * Any failure ends the sync with a {@link SyncFailedException} whose message is a one-line reason; the marker is then
 * absent and no final name holds unverified content.
 */
public final class BundleSyncer {
    /** {@code -Dkubecrawl.sync.trace=true}: log the time each phase took. */
    private static final boolean TRACE = Boolean.getBoolean("kubecrawl.sync.trace");

    private final BundleClient client;
    private final SyncSettings settings;
    private final PrintWriter log;
    private final String prefix;
    private long lastTrace = System.nanoTime();

    /**
     * @param log where progress and the summary go (the command's stderr)
     * @param prefix what each log line starts with, such as {@code "kubecrawl-worker sync: "}
     */
    public BundleSyncer(BundleClient client, SyncSettings settings, PrintWriter log, String prefix) {
        this.client = client;
        this.settings = settings;
        this.log = log;
        this.prefix = prefix;
    }

    private void trace(String phase) {
        if (TRACE) {
            long now = System.nanoTime();
            log.println(prefix + "trace: " + phase + " " + (now - lastTrace) / 1_000_000 + " ms");
            lastTrace = now;
        }
    }

    public SyncResult sync() throws SyncFailedException, InterruptedException {
        long startedAt = System.nanoTime();
        trace("start");
        // Reading what a synced target holds overlaps with finding the manifest.
        ExecutorService background = BundleDownload.threads("kubecrawl-preload-", 2);
        try {
            Future<SyncPreload> preloading = background.submit(() -> SyncPreload.read(settings.target(), background));
            Optional<SyncResult> unchanged = unchangedSinceLastSync(preloading, startedAt);
            if (unchanged.isPresent()) {
                return unchanged.get();
            }
            // A manifest kept in the target is the pinned bundle's if it hashes to the pinned digest: no round trip.
            Optional<BundleManifest> kept = KeptManifest.read(settings.target(), settings.bundle());
            BundleManifest manifest = kept.isPresent() ? ManifestCheck.verifyPaths(kept.get(), settings.target())
                    : ManifestCheck.verify(fetchManifest(), settings.bundle(), settings.target());
            trace(kept.isPresent() ? "kept manifest read and verified" : "manifest fetched and verified");
            SyncPreload preload = awaitPreload(preloading);
            trace("preloaded");
            TargetDirectory target;
            try {
                target = TargetDirectory.open(settings.target());
            } catch (IOException failure) {
                throw new SyncFailedException("cannot use the target directory " + settings.target() + ": "
                        + Failures.describe(failure), failure);
            }
            try (TargetLock lock = TargetLock.acquire(target, log, prefix)) {
                return syncLocked(manifest, kept.isPresent(), target, lock, preload, startedAt);
            } catch (IOException failure) {
                throw new SyncFailedException("cannot sync into " + target.root() + ": " + Failures.describeIo(failure),
                        failure);
            }
        } finally {
            background.shutdownNow();
        }
    }

    /** What the preload found; null when it found nothing usable or failed (the sync then reads the target itself). */
    private static SyncPreload awaitPreload(Future<SyncPreload> preloading) throws InterruptedException {
        try {
            return preloading.get();
        } catch (ExecutionException failed) {
            return null;
        }
    }

    private Manifest fetchManifest() throws SyncFailedException, InterruptedException {
        try {
            return Failsafe.with(Failures.<Manifest>retryPolicy(settings, client::resetConnectBackoff))
                    .get(client::getManifest);
        } catch (StatusRuntimeException failure) {
            if (UntrustedOperatorCertificate.isUntrusted(failure)) {
                throw new SyncFailedException("cannot fetch the manifest of bundle " + settings.bundle() + ": "
                        + Failures.describe(failure), failure);
            }
            if (Failures.isTransient(failure)) {
                throw new SyncFailedException("cannot fetch the manifest of bundle " + settings.bundle() + " in "
                        + settings.maxAttempts() + " attempts: " + Failures.describe(failure), failure);
            }
            throw new SyncFailedException("the operator refused the manifest of bundle " + settings.bundle() + ": "
                    + Failures.describe(failure), failure);
        } catch (FailsafeException failure) {
            throw SyncFailedException.unexpected("fetching the manifest", failure.getCause());
        }
    }

    private SyncResult syncLocked(BundleManifest manifest, boolean manifestKept, TargetDirectory target,
            TargetLock lock, SyncPreload preload, long startedAt)
            throws IOException, SyncFailedException, InterruptedException {
        trace("lock");
        HashCache cache;
        LocalTree.Walk walk;
        if (preload != null && preload.walk().root().equals(target.root())
                && preload.generation().equals(lock.generation())) {
            cache = preload.cache();
            walk = preload.walk();
        } else {
            cache = HashCache.load(target.stateDirectory());
            walk = LocalTree.walk(target.root());
        }
        lock.begin();
        trace("walked");
        CompletionMarker marker = new CompletionMarker(target);
        Set<Path> touched = ConcurrentHashMap.newKeySet();
        BundleDownload download = new BundleDownload(client, settings, target);
        SyncPlan plan;
        int hashedLocally;
        boolean downloaded = false;
        boolean alreadyComplete;
        try {
            LocalTree tree = LocalTree.of(walk, manifest, cache);
            hashedLocally = tree.filesHashed();
            trace("scanned");
            plan = SyncPlan.between(manifest, tree.entries());
            trace("planned");
            // Nothing to change and the marker already names this bundle: the target stays complete throughout, so
            // the marker stays. Anything to change, and the marker goes first: a crash half-way must not leave it.
            alreadyComplete = plan.isEmpty() && manifestKept
                    && CompletionMarker.read(target.root()).filter(settings.bundle().value()::equals).isPresent();
            if (!alreadyComplete) {
                marker.remove();
            }
            log.println(prefix + String.format(Locale.ROOT, "bundle %s: %d files, %s; %d in place, fetching %d (%s), "
                    + "deleting %d", settings.bundle(), manifest.files().size(), SyncProgress.size(manifest.totalBytes()),
                    plan.unchanged() + plan.modeChanges().size(), plan.downloads().size(),
                    SyncProgress.size(plan.bytesToDownload()), plan.deletions().size()));
            log.flush();
            delete(plan.deletions(), target, touched);
            changeModes(plan.modeChanges(), target, cache);
            try (SyncProgress progress = new SyncProgress(log, prefix, plan.downloads().size(),
                    plan.bytesToDownload())) {
                download.downloadAll(plan.downloads(), progress, cache, touched);
            }
            downloaded = true;
            trace("downloaded");
        } finally {
            if (!downloaded) {
                saveQuietly(cache); // what was verified need not be hashed again by the next attempt
            }
        }
        fsyncDirectories(touched, target);
        cache.retainOnly(manifest.files().stream().map(BundleFile::path).collect(Collectors.toSet()));
        trace("fsynced directories");
        cache.save();
        trace("cache saved");
        if (!alreadyComplete) {
            if (!manifestKept) {
                KeptManifest.write(target, manifest);
            }
            marker.write(settings.bundle());
        }
        lock.finish();
        trace("marker written");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startedAt);
        return summarised(new SyncResult(manifest.files().size(), plan.downloads().size(), plan.bytesToDownload(),
                plan.unchanged(), plan.modeChanges().size(), plan.deletions().size(), hashedLocally,
                download.maxResumeOffset(), elapsed), target);
    }

    /** Logs the summary line of a sync that brought the bundle in place, and returns its result. */
    private SyncResult summarised(SyncResult result, TargetDirectory target) {
        double seconds = Math.max(result.elapsed().toNanos() / 1e9, 1e-9);
        log.println(prefix + String.format(Locale.ROOT, "bundle %s in place in %s: %d files (%d fetched, %d kept, "
                + "%d deleted), %s fetched in %.2f s (%s/s)", settings.bundle(), target.root(), result.files(),
                result.fetched(), result.unchanged() + result.modesChanged(), result.deleted(),
                SyncProgress.size(result.bytesFetched()), seconds,
                SyncProgress.size((long) (result.bytesFetched() / seconds))));
        log.flush();
        return result;
    }

    /**
     * The quick way for a target the last sync left complete with the pinned bundle (a restarted pod on the same
     * volume): if a walk finds every file as the hash cache recorded it then, and nothing else
     * ({@link LocalTree#unchangedSince}), the target is still the bundle, and neither the manifest nor a file need be
     * read. Checked again under the lock: the marker must still name the bundle, and no sync may have changed the
     * target since the walk.
     *
     * @return empty when the target may have changed: the sync then compares it with the manifest
     */
    private Optional<SyncResult> unchangedSinceLastSync(Future<SyncPreload> preloading, long startedAt)
            throws InterruptedException {
        try {
            if (!namesPinnedBundle(settings.target())) {
                return Optional.empty();
            }
            SyncPreload preload = awaitPreload(preloading);
            if (preload == null || !LocalTree.unchangedSince(preload.walk(), preload.cache())) {
                return Optional.empty();
            }
            TargetDirectory target = TargetDirectory.open(settings.target());
            try (TargetLock lock = TargetLock.acquire(target, log, prefix)) {
                if (!preload.walk().root().equals(target.root()) || !preload.generation().equals(lock.generation())
                        || !namesPinnedBundle(target.root())) {
                    return Optional.empty();
                }
                trace("unchanged since the last sync");
                HashCache cache = preload.cache();
                log.println(prefix + String.format(Locale.ROOT, "bundle %s: %d files, %s, unchanged since the last "
                        + "sync", settings.bundle(), cache.size(), SyncProgress.size(cache.totalBytes())));
                return Optional.of(summarised(new SyncResult(cache.size(), 0, 0, cache.size(), 0, 0, 0, 0,
                        Duration.ofNanos(System.nanoTime() - startedAt)), target));
            }
        } catch (IOException unusable) {
            return Optional.empty(); // the sync reads the target again, and reports what it cannot do
        }
    }

    private boolean namesPinnedBundle(Path target) throws IOException {
        return CompletionMarker.read(target).filter(settings.bundle().value()::equals).isPresent();
    }

    private void delete(List<String> deletions, TargetDirectory target, Set<Path> touched) throws IOException {
        for (String path : deletions) {
            Path local = target.root().resolve(path);
            Files.delete(local); // a link is deleted itself, never what it points to
            touched.add(local.getParent());
        }
    }

    private void changeModes(List<BundleFile> files, TargetDirectory target, HashCache cache) throws IOException {
        for (BundleFile file : files) {
            Path local = target.resolve(file.path());
            Files.setPosixFilePermissions(local, Modes.toPermissions(file.mode()));
            cache.modeChanged(file.path(), file.mode());
            try (FileChannel channel = FileChannel.open(local, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                channel.force(true);
            } catch (AccessDeniedException unreadable) {
                // A mode without read permission: the change stays in the page cache until the kernel writes it.
            }
        }
    }

    private void fsyncDirectories(Set<Path> touched, TargetDirectory target) throws IOException {
        List<Path> directories = new ArrayList<>(touched);
        directories.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path directory : directories) {
            if (directory.startsWith(target.root()) && Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                TargetDirectory.fsyncDirectory(directory);
            }
        }
    }

    private void saveQuietly(HashCache cache) {
        try {
            cache.save();
        } catch (IOException ignored) {
            // Only a cache: the next sync hashes the files again.
        }
    }
}
