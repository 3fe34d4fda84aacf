package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.worker.UntrustedOperatorCertificate;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.v1.Manifest;

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
 * <li>delete what the bundle does not have, fix modes, download the rest in parallel: small files in groups of one
 * call each ({@link FileGroupDownload}), large ones and whatever a group did not verify one by one
 * ({@link FileDownload}), each file retried on transient failures with backoff and jitter;
 * <li>fsync the directories that changed, save the hash cache, and write the completion marker last.
 * </ol>
 *
 * Any failure ends the sync with a {@link SyncFailedException} whose message is a one-line reason; the marker is then
 * absent and no final name holds unverified content.
 */
public final class BundleSyncer {
    /**
     * Threads that fsync and rename verified files. An fsync mostly waits for the journal's commit, and concurrent
     * ones share a commit: 10,000 small files synced 5-10 % faster with 16 than with 4 (2.3-2.6 s against 2.5-2.8 s).
     */
    static final int COMMITTERS = 16;
    /** Verified files waiting for a committer, at most. */
    static final int MAX_UNCOMMITTED = 64;
    /** {@code -Dkubecrawl.sync.trace=true}: log the time each phase took. */
    private static final boolean TRACE = Boolean.getBoolean("kubecrawl.sync.trace");

    private final BundleClient client;
    private final SyncSettings settings;
    private final PrintWriter log;
    private final String prefix;
    /** One policy for every file: a policy holds no state of an execution, so it is shared. */
    private final RetryPolicy<FileDownload.Verified> fileRetries;
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
        this.fileRetries = Failures.retryPolicy(settings, client::resetConnectBackoff);
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
        ExecutorService background = threads("kubecrawl-preload-", 2);
        try {
            Future<Preload> preloading = background.submit(() -> Preload.read(settings.target(), background));
            Optional<SyncResult> unchanged = unchangedSinceLastSync(preloading, startedAt);
            if (unchanged.isPresent()) {
                return unchanged.get();
            }
            // A manifest kept in the target is the pinned bundle's if it hashes to the pinned digest: no round trip.
            Optional<BundleManifest> kept = KeptManifest.read(settings.target(), settings.bundle());
            BundleManifest manifest = kept.isPresent() ? ManifestCheck.verifyPaths(kept.get(), settings.target())
                    : ManifestCheck.verify(fetchManifest(), settings.bundle(), settings.target());
            trace(kept.isPresent() ? "kept manifest read and verified" : "manifest fetched and verified");
            Preload preload = awaitPreload(preloading);
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
                throw new SyncFailedException("cannot sync into " + target.root() + ": " + describeIo(failure),
                        failure);
            }
        } finally {
            background.shutdownNow();
        }
    }

    /** What the preload found; null when it found nothing usable or failed (the sync then reads the target itself). */
    private static Preload awaitPreload(Future<Preload> preloading) throws InterruptedException {
        try {
            return preloading.get();
        } catch (ExecutionException failed) {
            return null;
        }
    }

    /**
     * What the target held before this sync took its lock: its hash cache and a walk of its tree. Read only when the
     * target has been synced before (its lock file exists) and no sync is changing it (the lock's generation is even),
     * and without writing anything, since the manifest has not been checked yet. Used only if no other sync took the
     * lock in between (the generation is unchanged when this sync holds the lock).
     */
    private record Preload(String generation, HashCache cache, LocalTree.Walk walk) {
        static Preload read(Path target, ExecutorService pool) {
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
                return new Preload(generation, cache.get(), walk);
            } catch (IOException | RuntimeException | ExecutionException unreadable) {
                return null; // the sync reads the target again once it holds the lock
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return null;
            }
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
            throw unexpected("fetching the manifest", failure.getCause());
        }
    }

    private SyncResult syncLocked(BundleManifest manifest, boolean manifestKept, TargetDirectory target,
            TargetLock lock, Preload preload, long startedAt)
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
        AtomicLong maxResumeOffset = new AtomicLong();
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
                downloadAll(plan.downloads(), target, progress, cache, touched, maxResumeOffset);
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
                maxResumeOffset.get(), elapsed), target);
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
    private Optional<SyncResult> unchangedSinceLastSync(Future<Preload> preloading, long startedAt)
            throws InterruptedException {
        try {
            if (!namesPinnedBundle(settings.target())) {
                return Optional.empty();
            }
            Preload preload = awaitPreload(preloading);
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

    /**
     * Downloads in two stages: {@code parallelism} threads fetch ({@link FetchTasks}: groups of small files, single
     * large files), hash and verify files into their part files, and {@value #COMMITTERS} threads make each verified
     * part file durable and rename it into place. A small file spends most of its time in fsync; the stages overlap
     * that with the next files' network round trips. At most {@value #MAX_UNCOMMITTED} verified files wait for the
     * second stage (each holds an open file).
     */
    private void downloadAll(List<BundleFile> files, TargetDirectory target, SyncProgress progress, HashCache cache,
            Set<Path> touched, AtomicLong maxResumeOffset) throws SyncFailedException, InterruptedException {
        if (files.isEmpty()) {
            return;
        }
        ExecutorService fetchers = threads("kubecrawl-fetch-", Math.min(settings.parallelism(), files.size()));
        ExecutorService committers = threads("kubecrawl-commit-", Math.min(COMMITTERS, files.size()));
        Semaphore uncommitted = new Semaphore(MAX_UNCOMMITTED);
        AtomicInteger remaining = new AtomicInteger(files.size());
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        AtomicBoolean noBatchedReads = new AtomicBoolean();
        FileGroupDownload.Handover handover = (download, verified) -> {
            uncommitted.acquire();
            committers.execute(() -> {
                BundleFile file = download.file();
                try {
                    BasicFileAttributes attributes = download.commit(verified);
                    cache.put(file.path(), attributes, file.mode(), file.sha256());
                    touch(target, target.resolve(file.path()).getParent(), touched);
                } catch (IOException failure) {
                    outcome.completeExceptionally(failed(download, failure));
                } catch (RuntimeException failure) {
                    outcome.completeExceptionally(unexpected("committing " + file.path(), failure));
                } finally {
                    uncommitted.release();
                    if (remaining.decrementAndGet() == 0) {
                        outcome.complete(null);
                    }
                }
            });
        };
        try {
            for (FetchTasks.Task task : FetchTasks.of(files, settings.parallelism())) {
                fetchers.execute(() -> {
                    AtomicInteger handedOver = new AtomicInteger();
                    FileGroupDownload.Handover counted = (download, verified) -> {
                        handover.accept(download, verified);
                        handedOver.incrementAndGet();
                    };
                    String during = "downloading " + task.files().get(0).path();
                    try {
                        if (outcome.isDone()) {
                            return;
                        }
                        List<FileDownload> downloads = new ArrayList<>(task.files().size());
                        for (BundleFile file : task.files()) {
                            downloads.add(new FileDownload(file, target, client, progress));
                        }
                        List<FileDownload> alone = downloads;
                        if (task.grouped() && !noBatchedReads.get()) {
                            FileGroupDownload.Outcome group = new FileGroupDownload(downloads, client)
                                    .fetch(counted);
                            if (group.unimplemented()) {
                                noBatchedReads.set(true); // an operator older than ReadFiles: ReadFile for all
                            }
                            alone = group.notVerified();
                        }
                        for (FileDownload download : alone) {
                            if (outcome.isDone()) {
                                return;
                            }
                            during = "downloading " + download.file().path();
                            FileDownload.Verified verified = fetch(download, maxResumeOffset);
                            counted.accept(download, verified);
                        }
                    } catch (SyncFailedException failure) {
                        outcome.completeExceptionally(failure);
                    } catch (InterruptedException interrupted) {
                        outcome.completeExceptionally(interrupted);
                    } catch (RuntimeException failure) {
                        outcome.completeExceptionally(unexpected(during, failure));
                    } finally {
                        int notHandedOver = task.files().size() - handedOver.get();
                        if (notHandedOver > 0 && remaining.addAndGet(-notHandedOver) == 0) {
                            outcome.complete(null);
                        }
                    }
                });
            }
            try {
                outcome.get();
            } catch (ExecutionException failed) {
                Throwable cause = failed.getCause();
                if (cause instanceof SyncFailedException reason) {
                    throw reason;
                }
                if (cause instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                throw unexpected("downloading", cause);
            }
        } finally {
            fetchers.shutdownNow();
            fetchers.awaitTermination(10, TimeUnit.SECONDS);
            // Files already verified are committed: that is correct, and it closes their part files.
            committers.shutdown();
            committers.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private static ExecutorService threads(String name, int count) {
        AtomicInteger created = new AtomicInteger();
        return Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, name + created.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * One file, verified, with retries on transient failures. An attempt it already had in a group counts: a file
     * that keeps failing gets {@code maxAttempts} in all, however it was fetched.
     */
    private FileDownload.Verified fetch(FileDownload download, AtomicLong maxResumeOffset)
            throws SyncFailedException, InterruptedException {
        int attemptsLeft = settings.maxAttempts() - download.attempts();
        if (attemptsLeft < 1) {
            throw failed(download, download.batchFailure());
        }
        RetryPolicy<FileDownload.Verified> retries = download.attempts() == 0 ? fileRetries
                : Failures.retryPolicy(settings, attemptsLeft, client::resetConnectBackoff);
        try {
            return Failsafe.with(retries).get(download::attempt);
        } catch (FailsafeException wrapped) {
            Throwable cause = wrapped.getCause();
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw failed(download, cause);
        } catch (RuntimeException failure) {
            throw failed(download, failure);
        } finally {
            maxResumeOffset.accumulateAndGet(download.maxResumeOffset(), Math::max);
        }
    }

    /** Records that {@code directory} and the ones above it (up to the root) changed and need an fsync. */
    private static void touch(TargetDirectory target, Path directory, Set<Path> touched) {
        for (Path current = directory; current != null && current.startsWith(target.root());
                current = current.getParent()) {
            if (!touched.add(current)) {
                break;
            }
        }
    }

    private SyncFailedException failed(FileDownload download, Throwable cause) {
        String path = download.file().path();
        if (cause instanceof TransientFailure.HashMismatch && download.hashMismatches() == download.attempts()) {
            return new SyncFailedException("file " + path + " failed its sha256 check " + download.attempts()
                    + (download.attempts() == 1 ? " time" : " times"), cause);
        }
        if (Failures.isTransient(cause)) {
            String mismatches = download.hashMismatches() == 0 ? ""
                    : " (" + download.hashMismatches() + " failed the sha256 check)";
            return new SyncFailedException("file " + path + " could not be fetched in " + download.attempts()
                    + " attempts" + mismatches + ": " + Failures.describe(cause), cause);
        }
        if (cause instanceof StatusRuntimeException) {
            return new SyncFailedException("the operator refused file " + path + ": " + Failures.describe(cause),
                    cause);
        }
        if (cause instanceof IOException io) {
            return new SyncFailedException("cannot write file " + path + ": " + describeIo(io), cause);
        }
        return unexpected("downloading " + path, cause);
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

    private static SyncFailedException unexpected(String during, Throwable cause) {
        return new SyncFailedException("unexpected failure " + during + ": " + cause, cause);
    }

    /** An I/O failure in one line: its message names the path, the exception's type says what was wrong. */
    private static String describeIo(IOException failure) {
        String type = failure.getClass().getSimpleName();
        return failure.getMessage() == null ? type : type + ": " + failure.getMessage();
    }
}
