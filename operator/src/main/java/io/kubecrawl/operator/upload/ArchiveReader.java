package io.kubecrawl.operator.upload;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.function.LongSupplier;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.utils.InputStreamStatistics;

/**
 * Turns an uploaded archive into the regular files of a bundle, in archive order, and refuses the whole archive at
 * the first entry that breaks a rule: a path that is absolute, holds {@code ..} or would land outside the bundle, a
 * symbolic or hard link, a device, FIFO or any other special file, a path given twice, more entries than allowed,
 * files that unpack to more bytes than allowed or to more than the compression ratio allows of what they come from.
 * Directories are implied by the files' paths, so directory entries add nothing (their names are still checked).
 * A file keeps its permission bits ({@code mode & 0777}, so an executable script stays executable); an archive
 * without them (zip from a non-Unix system) gives {@code 0644}.
 *
 * <p>A {@code .tar.gz} is read as it streams in, one entry at a time, whatever its size. A {@code .zip} is read
 * from a file, since its table of contents comes last.
 */
public final class ArchiveReader {

    /** Mode of a file whose archive does not say. */
    public static final int DEFAULT_MODE = 0644;
    /** The permission bits kept: rwx for user, group and others; never setuid, setgid or sticky. */
    public static final int MODE_MASK = 0777;
    /** Most bytes accepted after a tar's end marker: tar pads its output to whole blocks (10 KiB by default). */
    static final int MAX_TRAILER = 1 << 20;

    /** Receives the regular files of an archive, one at a time. */
    @FunctionalInterface
    public interface FileVisitor {
        /**
         * @param path the file's path in the bundle, checked
         * @param mode its permission bits
         * @param content its content, to be read before the next call; closing it is allowed and does nothing
         */
        void file(String path, int mode, InputStream content) throws IOException;
    }

    private enum Source { TAR_GZ, ZIP }

    private final Source source;
    private final InputStream tarGz;
    private final Path zip;
    private final ArchiveLimits limits;

    private ArchiveReader(Source source, InputStream tarGz, Path zip, ArchiveLimits limits) {
        this.source = source;
        this.tarGz = tarGz;
        this.zip = zip;
        this.limits = limits;
    }

    /** A gzip-compressed tar read from {@code body} as it arrives; the stream is not closed. */
    public static ArchiveReader tarGz(InputStream body, ArchiveLimits limits) {
        return new ArchiveReader(Source.TAR_GZ, body, null, limits);
    }

    /** A zip archive stored in {@code file}. */
    public static ArchiveReader zip(Path file, ArchiveLimits limits) {
        return new ArchiveReader(Source.ZIP, null, file, limits);
    }

    /**
     * Hands every regular file to {@code visitor}, in archive order.
     *
     * @return the number of files
     * @throws RejectedArchiveException at the first entry that breaks a rule, or when there is no file at all
     * @throws ArchiveReadException when the archive cannot be read (corrupt, truncated, the body failed)
     * @throws IOException what the visitor throws
     */
    public int forEachFile(FileVisitor visitor) throws IOException, RejectedArchiveException {
        BundleTreeRules rules = new BundleTreeRules(limits.maxEntries());
        if (source == Source.TAR_GZ) {
            readTarGz(rules, visitor);
        } else {
            readZip(rules, visitor);
        }
        if (rules.fileCount() == 0) {
            throw new RejectedArchiveException("the archive holds no regular file; a bundle needs at least one");
        }
        return rules.fileCount();
    }

    private void readTarGz(BundleTreeRules rules, FileVisitor visitor) throws IOException, RejectedArchiveException {
        CountingInputStream received = new CountingInputStream(tarGz);
        EntryContent.UnpackedBytes unpacked = new EntryContent.UnpackedBytes(limits.maxUnpackedBytes(),
                CompressionRatio.ofArchive(limits.maxCompressionRatio(), received::count));
        GzipCompressorInputStream gzip;
        try {
            // Concatenated gzip members are one stream, as gunzip reads them.
            gzip = GzipCompressorInputStream.builder().setInputStream(received).setDecompressConcatenated(true).get();
        } catch (EOFException e) {
            throw ArchiveReadException.cutOff("inside its gzip header", e);
        } catch (IOException e) {
            throw new ArchiveReadException("the body is not gzip data: " + ArchiveReadException.detail(e), e);
        }
        EndAwareInputStream tarBytes = new EndAwareInputStream(gzip);
        TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes);
        String previous = null;
        while (true) {
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (IOException e) {
                throw unreadableTarGz(e, tarBytes, previous == null ? "before its first entry"
                        : "after entry '" + ArchiveEntryProblem.printable(previous) + "'");
            }
            if (entry == null) {
                readTrailer(gzip);
                return;
            }
            String name = entry.getName();
            rules.count(name);
            switch (kindOf(entry)) {
                case DIRECTORY -> rules.directory(name);
                case FILE -> {
                    String path = rules.file(name);
                    visit(visitor, path, mode(entry.getMode()),
                            EntryContent.ofTar(tar, name, entry.getSize(), unpacked, tarBytes::ended));
                }
                default -> throw BundleTreeRules.refused(name, refusal(entry));
            }
            previous = name;
        }
    }

    /** Why a .tar.gz could not be read: its data stopped at {@code where}, or it is no valid .tar.gz. */
    private static IOException unreadableTarGz(IOException e, EndAwareInputStream tarBytes, String where) {
        if (e instanceof ArchiveReadException) {
            return e;
        }
        if (tarBytes.ended()) {
            return ArchiveReadException.cutOff(where, e);
        }
        return new ArchiveReadException("the body is not a readable .tar.gz: " + ArchiveReadException.detail(e), e);
    }

    private void readZip(BundleTreeRules rules, FileVisitor visitor) throws IOException, RejectedArchiveException {
        ZipCentralDirectory.checkEntryCount(zip, limits.maxEntries());
        long received = Files.size(zip);
        EntryContent.UnpackedBytes unpacked = new EntryContent.UnpackedBytes(limits.maxUnpackedBytes(),
                CompressionRatio.ofArchive(limits.maxCompressionRatio(), () -> received));
        ZipFile archive;
        try {
            archive = ZipFile.builder().setPath(zip).get();
        } catch (IOException e) {
            throw new ArchiveReadException("the body is not a readable .zip: " + ArchiveReadException.detail(e), e);
        }
        try (archive) {
            for (Enumeration<ZipArchiveEntry> entries = archive.getEntries(); entries.hasMoreElements();) {
                ZipArchiveEntry entry = entries.nextElement();
                String name = entry.getName();
                rules.count(name);
                int fileType = entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX
                        ? entry.getUnixMode() & UnixFileType.MASK : 0;
                if (entry.isUnixSymlink()) {
                    throw BundleTreeRules.refused(name, "it is a symbolic link; a bundle holds regular files only");
                }
                if (fileType != 0 && fileType != UnixFileType.REGULAR && fileType != UnixFileType.DIRECTORY) {
                    throw BundleTreeRules.refused(name, "it is " + UnixFileType.describe(fileType)
                            + "; a bundle holds regular files only");
                }
                if (entry.isDirectory() || fileType == UnixFileType.DIRECTORY) {
                    rules.directory(name.endsWith("/") ? name : name + "/");
                    continue;
                }
                if (!archive.canReadEntryData(entry)) {
                    throw BundleTreeRules.refused(name, "it is encrypted or compressed with a method the operator "
                            + "cannot read; use deflate or store");
                }
                String path = rules.file(name);
                int mode = entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? mode(entry.getUnixMode())
                        : DEFAULT_MODE;
                InputStream content;
                try {
                    content = archive.getInputStream(entry);
                } catch (IOException e) {
                    throw new ArchiveReadException("cannot read entry '" + ArchiveEntryProblem.printable(name)
                            + "': " + ArchiveReadException.detail(e), e);
                }
                // The compressed bytes the entry's stream has read so far; a stream that does not count them is
                // bounded by the entry's compressed size all the same.
                LongSupplier compressed = content instanceof InputStreamStatistics statistics
                        ? statistics::getCompressedCount : entry::getCompressedSize;
                try (content) {
                    visit(visitor, path, mode, EntryContent.ofZip(content, name, entry.getSize(), unpacked,
                            CompressionRatio.ofEntry(limits.maxCompressionRatio(), compressed)));
                }
            }
        }
    }

    /**
     * Hands one file to the visitor; the file at which the unpacked limit or the compression ratio is passed is refused
     * by its name.
     */
    private static void visit(FileVisitor visitor, String path, int mode, EntryContent content)
            throws IOException, RejectedArchiveException {
        try {
            visitor.file(path, mode, content);
        } catch (UnpackingLimitException limitPassed) {
            throw BundleTreeRules.refused(content.entry(), limitPassed.reason());
        }
    }

    /**
     * Reads the gzip stream to its end after the tar's end marker: its trailer holds the CRC that proves the archive
     * arrived intact, and the whole body is then read before the answer. Only block padding may follow the tar, so
     * more than {@link #MAX_TRAILER} bytes (a cheap way to make the operator inflate gigabytes) is refused.
     */
    private static void readTrailer(GzipCompressorInputStream gzip) throws IOException, RejectedArchiveException {
        byte[] buffer = new byte[8192];
        long trailing = 0;
        try {
            int n;
            while ((n = gzip.read(buffer)) >= 0) {
                trailing += n;
                if (trailing > MAX_TRAILER) {
                    throw new RejectedArchiveException("more than " + MAX_TRAILER + " bytes follow the end of the "
                            + "tar archive; send the .tar.gz as tar and gzip wrote it");
                }
            }
        } catch (EOFException e) {
            throw ArchiveReadException.cutOff("after its tar end marker, before the end of its gzip stream", e);
        } catch (IOException e) {
            throw e instanceof ArchiveReadException ? e
                    : new ArchiveReadException("the body is not a readable .tar.gz: " + ArchiveReadException.detail(e),
                            e);
        }
    }

    private enum Kind { FILE, DIRECTORY, OTHER }

    /** By the entry's type flag, strictly: anything not known to be a regular file or a directory is refused. */
    private static Kind kindOf(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        if (entry.isSparse()) {
            return Kind.OTHER;
        }
        if (flag == TarConstants.LF_DIR) {
            return Kind.DIRECTORY;
        }
        if (flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG) {
            // Old tars mark a directory by a trailing '/' on a "normal" entry.
            return entry.getName().endsWith("/") ? Kind.DIRECTORY : Kind.FILE;
        }
        return Kind.OTHER;
    }

    private static String refusal(TarArchiveEntry entry) {
        if (entry.isSymbolicLink()) {
            return "it is a symbolic link (to '" + ArchiveEntryProblem.printable(entry.getLinkName())
                    + "'); a bundle holds regular files only";
        }
        if (entry.isLink()) {
            return "it is a hard link (to '" + ArchiveEntryProblem.printable(entry.getLinkName())
                    + "'); a bundle holds regular files only";
        }
        if (entry.isCharacterDevice()) {
            return "it is a character device; a bundle holds regular files only";
        }
        if (entry.isBlockDevice()) {
            return "it is a block device; a bundle holds regular files only";
        }
        if (entry.isFIFO()) {
            return "it is a FIFO; a bundle holds regular files only";
        }
        if (entry.isSparse()) {
            return "it is a sparse file; archive it without --sparse";
        }
        return "its tar type '" + printableFlag(entry.getLinkFlag()) + "' is not a regular file or a directory";
    }

    private static String printableFlag(byte flag) {
        return flag >= 0x20 && flag < 0x7f ? String.valueOf((char) flag) : String.format("\\x%02x", flag & 0xff);
    }

    private static int mode(int archived) {
        int mode = archived & MODE_MASK;
        // No permission at all means the archive did not record any: a file nobody may read is no use in a bundle.
        return mode == 0 ? DEFAULT_MODE : mode;
    }
}
