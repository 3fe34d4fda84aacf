package io.kubecrawl.operator.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import org.jboss.logging.Logger;

/**
 * Content-addressed storage of spider bundles on the operator's volume:
 *
 * <pre>
 * blobs/sha256/ab/abcdef...      file contents, named by their sha256
 * manifests/sha256/12/1234...    canonical manifests, named by their bundle digest
 * tmp/                           writes in flight, on the same file system so that the final rename is atomic
 * </pre>
 *
 * <p>Every write streams into {@code tmp/} while hashing, through a small fixed buffer whatever the size, is forced
 * to disk, and only then renamed to its final name. So a name under {@code blobs/} or {@code manifests/} always holds
 * complete, durable content; a failed or cancelled write leaves nothing but its temporary file, which it deletes.
 * Two writers of the same content end with one file: the name is the content, so whichever rename comes second
 * finds the same bytes already there.
 *
 * <p>Nothing is deleted except by {@link #collectGarbage}, which spares pinned bundles and anything written or
 * {@linkplain #retain retained} within the grace period.
 */
public class BundleStore {

    private static final Logger LOG = Logger.getLogger(BundleStore.class);

    private final Path blobs;
    private final Path manifests;
    private final Path tmp;
    private final Clock clock;

    /**
     * Writers hold it shared while they find or place a final file, garbage collection exclusively while it checks
     * and deletes one: a writer that found a file already there can rely on it, because the collector either
     * deleted it before (and the writer places its own) or sees the age the writer just refreshed.
     */
    private final ReadWriteLock placement = new ReentrantReadWriteLock();

    /** @param root the data directory; {@code blobs/}, {@code manifests/} and {@code tmp/} are created below it */
    public BundleStore(Path root, Clock clock) {
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.manifests = root.resolve("manifests").resolve("sha256");
        this.tmp = root.resolve("tmp");
        this.clock = clock;
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(manifests);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the bundle store in " + root.toAbsolutePath(), e);
        }
    }

    /**
     * Stores a file content, streaming: memory use does not depend on its size. The stream is read to its end but
     * not closed.
     *
     * @throws IOException when reading or storing fails; nothing is stored then
     */
    public BlobRef write(InputStream content) throws IOException {
        Staged staged = stage(content);
        try {
            place(staged.file(), blobPath(staged.sha256()));
            return new BlobRef(staged.sha256(), staged.size());
        } finally {
            deleteQuietly(staged.file());
        }
    }

    /**
     * Stores a file content whose sha256 the caller knows in advance, and checks it.
     *
     * @throws ContentMismatchException when the content does not have that sha256; nothing is stored then
     * @throws IOException when reading or storing fails; nothing is stored then
     */
    public BlobRef write(InputStream content, String expectedSha256) throws IOException {
        requireHex(expectedSha256);
        Staged staged = stage(content);
        try {
            if (!staged.sha256().equals(expectedSha256)) {
                throw new ContentMismatchException(expectedSha256, staged.sha256());
            }
            place(staged.file(), blobPath(staged.sha256()));
            return new BlobRef(staged.sha256(), staged.size());
        } finally {
            deleteQuietly(staged.file());
        }
    }

    public boolean contains(String sha256) {
        return Files.isRegularFile(blobPath(requireHex(sha256)));
    }

    /** The stored content with this sha256, if there is one. */
    public Optional<BlobRef> blob(String sha256) throws IOException {
        try {
            return Optional.of(new BlobRef(sha256, Files.size(blobPath(requireHex(sha256)))));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    /**
     * Marks a stored content as in use now: garbage collection's grace period starts again for it. A writer that
     * holds the content already calls this instead of writing it again.
     *
     * @return whether the content is stored
     */
    public boolean retain(String sha256) throws IOException {
        return refresh(blobPath(requireHex(sha256)));
    }

    /** Reads a stored content from its start. @throws NoSuchFileException when it is not stored */
    public InputStream open(String sha256) throws IOException {
        return Files.newInputStream(blobPath(requireHex(sha256)));
    }

    /**
     * A stored content for positional reads (resuming at an offset). It stays readable to its end even if garbage
     * collection deletes its name meanwhile.
     *
     * @throws NoSuchFileException when it is not stored
     */
    public FileChannel openChannel(String sha256) throws IOException {
        return FileChannel.open(blobPath(requireHex(sha256)), StandardOpenOption.READ);
    }

    /**
     * Stores a manifest under its digest, in its canonical form. Storing one that is already there only refreshes
     * its age. Callers store the files' contents first, so that a stored manifest never names a missing blob.
     */
    public void putManifest(BundleManifest manifest) throws IOException {
        Path target = manifestPath(Sha256.hexOf(manifest.digest()));
        if (refresh(target)) {
            return;
        }
        Staged staged = stage(new ByteArrayInputStream(manifest.canonicalForm()));
        try {
            place(staged.file(), target);
        } finally {
            deleteQuietly(staged.file());
        }
    }

    /**
     * The manifest stored under {@code digest}.
     *
     * @throws IllegalArgumentException when {@code digest} is not {@code sha256:<64 lower-case hex digits>}
     * @throws IOException when the stored manifest cannot be read or does not hash to its name
     */
    public Optional<BundleManifest> manifest(String digest) throws IOException {
        String hex = Sha256.hexOf(digest);
        byte[] canonical;
        try {
            canonical = Files.readAllBytes(manifestPath(hex));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
        if (!Sha256.hex(canonical).equals(hex)) {
            throw new IOException("stored manifest " + digest + " is corrupt: its content has another sha256");
        }
        try {
            return Optional.of(BundleManifest.fromCanonicalForm(canonical));
        } catch (IllegalArgumentException malformed) {
            throw new IOException("stored manifest " + digest + " is corrupt: " + malformed.getMessage(), malformed);
        }
    }

    public boolean containsManifest(String digest) {
        return Files.isRegularFile(manifestPath(Sha256.hexOf(digest)));
    }

    /**
     * Deletes, in this order: manifests that are not pinned and older than {@code grace}; blobs that no remaining
     * manifest names and that are older than {@code grace}; temporary files older than {@code grace}, left by
     * writers that died. The grace period protects what is being written right now and is not pinned yet (an
     * upload in progress, a Spider whose status is about to name a new bundle).
     *
     * @param pinnedDigests bundle digests that must stay, whatever their age
     * @throws IOException when a kept manifest cannot be read: no blob is deleted then, since its references are
     *     unknown
     */
    public CollectedGarbage collectGarbage(Set<String> pinnedDigests, Duration grace) throws IOException {
        Instant cutoff = clock.instant().minus(grace);
        int manifestCount = 0;
        Set<String> referenced = new HashSet<>();
        for (Path file : filesOf(manifests, 2)) {
            String name = file.getFileName().toString();
            if (!Sha256.isHex(name)) {
                continue;
            }
            if (!pinnedDigests.contains(Sha256.DIGEST_PREFIX + name) && deleteIfOlder(file, cutoff) >= 0) {
                manifestCount++;
            } else {
                referencesOf(file).forEach(f -> referenced.add(f.sha256()));
            }
        }
        int blobCount = 0;
        long bytes = 0;
        for (Path file : filesOf(blobs, 2)) {
            String name = file.getFileName().toString();
            if (Sha256.isHex(name) && !referenced.contains(name)) {
                long size = deleteIfOlder(file, cutoff);
                if (size >= 0) {
                    blobCount++;
                    bytes += size;
                }
            }
        }
        int tempCount = 0;
        for (Path file : filesOf(tmp, 1)) {
            if (deleteIfOlder(file, cutoff) >= 0) {
                tempCount++;
            }
        }
        return new CollectedGarbage(manifestCount, blobCount, bytes, tempCount);
    }

    /**
     * The files a kept manifest names. One that cannot be read stops the collection (its blobs might be deleted);
     * one whose content is corrupt is reported and names nothing, since it can never be served as it is.
     */
    private List<BundleFile> referencesOf(Path manifestFile) throws IOException {
        String digest = Sha256.DIGEST_PREFIX + manifestFile.getFileName();
        byte[] canonical;
        try {
            canonical = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException gone) {
            return List.of();
        }
        try {
            if (!Sha256.hex(canonical).equals(Sha256.hexOf(digest))) {
                throw new IllegalArgumentException("its content has another sha256");
            }
            return BundleManifest.fromCanonicalForm(canonical).files();
        } catch (IllegalArgumentException corrupt) {
            LOG.warnf("Stored manifest %s is corrupt (%s); the blobs only it names will be collected", digest,
                    corrupt.getMessage());
            return List.of();
        }
    }

    /** Streams {@code content} into a new temporary file, hashing it on the way, and forces it to disk. */
    private Staged stage(InputStream content) throws IOException {
        Path file = Files.createTempFile(tmp, "write-", ".part");
        try {
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                    OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
                size = content.transferTo(out);
                channel.force(true);
            }
            return new Staged(file, Sha256.hex(digest), size);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(file);
            throw e;
        }
    }

    /** Renames a staged file to its final name, unless a complete file of that name (and so content) is there. */
    private void place(Path staged, Path target) throws IOException {
        placement.readLock().lock();
        try {
            Files.createDirectories(target.getParent());
            if (Files.isRegularFile(target) && Files.size(target) == Files.size(staged)) {
                Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
                return;
            }
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(target.getParent());
        } finally {
            placement.readLock().unlock();
        }
    }

    private boolean refresh(Path file) throws IOException {
        placement.readLock().lock();
        try {
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
            return true;
        } catch (NoSuchFileException absent) {
            return false;
        } finally {
            placement.readLock().unlock();
        }
    }

    /** @return the size of the deleted file, or -1 when it was young or already gone */
    private long deleteIfOlder(Path file, Instant cutoff) throws IOException {
        placement.writeLock().lock();
        try {
            if (!Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                return -1;
            }
            long size = Files.size(file);
            Files.delete(file);
            return size;
        } catch (NoSuchFileException gone) {
            return -1;
        } finally {
            placement.writeLock().unlock();
        }
    }

    /** Regular files exactly {@code depth} levels below {@code root}, listed first so that deleting them is safe. */
    private static List<Path> filesOf(Path root, int depth) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                if (depth > 1 && Files.isDirectory(entry)) {
                    filesOf(entry, depth - 1).forEach(files::add);
                } else if (depth == 1 && Files.isRegularFile(entry)) {
                    files.add(entry);
                }
            }
        }
        return files;
    }

    /** Makes a rename durable: the new directory entry reaches the disk, not only the file's content. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupported) {
            LOG.debugf("Cannot force directory %s to disk: %s", directory, notSupported.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Garbage collection removes it once it is older than the grace period.
            LOG.warnf("Cannot delete temporary file %s: %s", file, e.getMessage());
        }
    }

    private Path blobPath(String sha256) {
        return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private Path manifestPath(String hex) {
        return manifests.resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** The sha256 comes from callers over the network: anything but 64 hex digits could climb out of the store. */
    private static String requireHex(String sha256) {
        if (!Sha256.isHex(sha256)) {
            throw new IllegalArgumentException("not a sha256 (64 lower-case hex digits): " + sha256);
        }
        return sha256;
    }

    private record Staged(Path file, String sha256, long size) {
    }
}
