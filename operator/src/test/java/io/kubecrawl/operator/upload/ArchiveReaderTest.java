package io.kubecrawl.operator.upload;

import static io.kubecrawl.operator.upload.TestArchives.blockDevice;
import static io.kubecrawl.operator.upload.TestArchives.characterDevice;
import static io.kubecrawl.operator.upload.TestArchives.directory;
import static io.kubecrawl.operator.upload.TestArchives.fifo;
import static io.kubecrawl.operator.upload.TestArchives.file;
import static io.kubecrawl.operator.upload.TestArchives.hardLink;
import static io.kubecrawl.operator.upload.TestArchives.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The archive rules, format by format, without the HTTP API: what comes out of an archive and what is refused. */
class ArchiveReaderTest {

    record Read(String path, int mode, String content) {
    }

    /** The operator's default kubecrawl.upload.max-compression-ratio. */
    private static final int DEFAULT_RATIO = 200;
    private static final int FOUR_MIB = 4 << 20;

    /**
     * Where the content of 'spider/big.bin' starts in the tar of the cut-off tests: after the first entry's header and
     * its one block of content, and its own header.
     */
    private static final int BIG_BIN_CONTENT = 3 * 512;

    @TempDir
    Path dir;

    @Test
    void tarGzGivesEveryRegularFileWithItsPathAndPermissionBits() throws Exception {
        byte[] archive = TestArchives.tarGz(
                directory("crawlab_project"),
                directory("crawlab_project/spiders"),
                file("crawlab_project/spiders/quotes.py", "import scrapy\n"),
                file("bin/run.sh", "#!/bin/sh\n", 0755),
                file("setuid", "x", 04755),
                file("no-permissions", "y", 0));

        assertThat(readTarGz(archive, 100)).containsExactly(
                new Read("crawlab_project/spiders/quotes.py", 0644, "import scrapy\n"),
                new Read("bin/run.sh", 0755, "#!/bin/sh\n"),
                new Read("setuid", 0755, "x"),
                new Read("no-permissions", 0644, "y"));
    }

    @Test
    void tarWrittenFromDotKeepsItsPathsWithoutTheDotSlash() throws Exception {
        // tar -C project -czf bundle.tgz .
        byte[] archive = TestArchives.tarGz(directory("./"), directory("./pkg"), file("./pkg/a.py", "a"),
                file("./run.sh", "r", 0755));

        assertThat(readTarGz(archive, 100)).extracting(Read::path, Read::mode)
                .containsExactly(tuple("pkg/a.py", 0644), tuple("run.sh", 0755));
    }

    @Test
    void zipGivesEveryRegularFileWithItsUnixModeOr0644WithoutOne() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry script = new ZipArchiveEntry("bin/run.sh");
            script.setUnixMode(0100755);
            zip.putArchiveEntry(script);
            zip.write("#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            zip.putArchiveEntry(new ZipArchiveEntry("spiders/"));
            zip.closeArchiveEntry();
            // Written on Windows: no Unix mode at all.
            zip.putArchiveEntry(new ZipArchiveEntry("spiders/quotes.py"));
            zip.write("import scrapy\n".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }

        assertThat(readZip(bytes.toByteArray(), 100)).containsExactly(
                new Read("bin/run.sh", 0755, "#!/bin/sh\n"),
                new Read("spiders/quotes.py", 0644, "import scrapy\n"));
    }

    static Stream<Arguments> refusedTarEntries() {
        return Stream.of(
                Arguments.of(List.of(file("../x", "x")), "entry '../x' is refused: the path climbs out of the "
                        + "bundle with '..'"),
                Arguments.of(List.of(file("/etc/passwd", "x")), "entry '/etc/passwd' is refused: the path is "
                        + "absolute"),
                Arguments.of(List.of(file("a/../../b", "x")), "entry 'a/../../b' is refused: the path climbs out "
                        + "of the bundle with '..'"),
                Arguments.of(List.of(directory("../up")), "entry '../up/' is refused: the path climbs out"),
                Arguments.of(List.of(file("ok.py", "x"), symlink("root", "/")), "entry 'root' is refused: it is a "
                        + "symbolic link (to '/')"),
                Arguments.of(List.of(hardLink("passwd", "../../etc/passwd")), "entry 'passwd' is refused: it is a "
                        + "hard link (to '../../etc/passwd')"),
                Arguments.of(List.of(file("a.py", "1"), file("a.py", "2")), "entry 'a.py' is refused: an earlier "
                        + "entry of the archive has the same path"),
                Arguments.of(List.of(file("a.py", "1"), file("./a.py", "2")), "entry './a.py' is refused: an "
                        + "earlier entry of the archive has the same path"),
                Arguments.of(List.of(file("lib", "1"), file("lib/a.py", "2")), "entry 'lib/a.py' is refused: 'lib' "
                        + "is a file of the archive"),
                Arguments.of(List.of(file("lib/a.py", "1"), file("lib", "2")), "entry 'lib' is refused: an earlier "
                        + "entry needs 'lib' as a directory"),
                Arguments.of(List.of(characterDevice("null")), "entry 'null' is refused: it is a character device"),
                Arguments.of(List.of(blockDevice("sda")), "entry 'sda' is refused: it is a block device"),
                Arguments.of(List.of(fifo("pipe")), "entry 'pipe' is refused: it is a FIFO"),
                Arguments.of(List.of(file("back\\slash", "x")), "entry 'back\\slash' is refused: the path holds a "
                        + "backslash"),
                Arguments.of(List.of(file("line\nbreak", "x")), "entry 'line\\u000abreak' is refused: the path "
                        + "holds a control character"));
    }

    @ParameterizedTest
    @MethodSource("refusedTarEntries")
    void tarGzEntryBreakingARuleRefusesTheWholeArchive(List<TestArchives.Entry> entries, String message) {
        assertThatThrownBy(() -> readTarGz(TestArchives.tarGz(entries), 100))
                .isInstanceOf(RejectedArchiveException.class).hasMessageStartingWith(message);
    }

    static Stream<Arguments> refusedZipEntries() {
        return Stream.of(
                Arguments.of(List.of(file("../x", "x")), "entry '../x' is refused: the path climbs out"),
                Arguments.of(List.of(file("/etc/passwd", "x")), "entry '/etc/passwd' is refused: the path is "
                        + "absolute"),
                Arguments.of(List.of(symlink("root", "/")), "entry 'root' is refused: it is a symbolic link"),
                Arguments.of(List.of(file("a.py", "1"), file("a.py", "2")), "entry 'a.py' is refused: an earlier "
                        + "entry of the archive has the same path"),
                Arguments.of(List.of(characterDevice("null")), "entry 'null' is refused: it is a character device"),
                Arguments.of(List.of(fifo("pipe")), "entry 'pipe' is refused: it is a FIFO"));
    }

    @ParameterizedTest
    @MethodSource("refusedZipEntries")
    void zipEntryBreakingARuleRefusesTheWholeArchive(List<TestArchives.Entry> entries, String message) {
        assertThatThrownBy(() -> readZip(TestArchives.zip(entries), 100))
                .isInstanceOf(RejectedArchiveException.class).hasMessageStartingWith(message);
    }

    @Test
    void theEntryPastTheLimitIsNamedAndNothingAfterItIsRead() {
        List<TestArchives.Entry> entries = IntStream.range(0, 6).mapToObj(i -> file("f" + i, "x")).toList();

        assertThatThrownBy(() -> readTarGz(TestArchives.tarGz(entries), 5))
                .hasMessage("entry 'f5' is refused: the archive holds more than 5 entries, the most the operator "
                        + "accepts (kubecrawl.upload.max-entries)");
        assertThatThrownBy(() -> readZip(TestArchives.zip(entries), 5))
                .hasMessageStartingWith("entry 'f5' is refused: the archive holds more than 5 entries");
        // Directories count too: their number costs as much as files'.
        List<TestArchives.Entry> directories = IntStream.range(0, 6).mapToObj(i -> directory("d" + i)).toList();
        assertThatThrownBy(() -> readTarGz(TestArchives.tarGz(directories), 5)).hasMessageStartingWith("entry 'd5/'");
    }

    @Test
    void filesAddingUpToTheUnpackedLimitPassAndTheOneThatPassesItIsNamed() throws Exception {
        ArchiveLimits limits = new ArchiveLimits(100, 1000, DEFAULT_RATIO);
        List<TestArchives.Entry> atLimit = List.of(file("a", new byte[600], 0644), file("b", new byte[400], 0644));
        List<TestArchives.Entry> pastLimit = List.of(file("a", new byte[600], 0644), file("b", new byte[401], 0644),
                file("c", "never read"));

        assertThat(readTarGz(TestArchives.tarGz(atLimit), limits)).extracting(Read::path).containsExactly("a", "b");
        assertThat(readZip(TestArchives.zip(atLimit), limits)).extracting(Read::path).containsExactly("a", "b");
        String message = "entry 'b' is refused: the archive's files add up to more than 1000 bytes when unpacked, the "
                + "most an upload may hold (kubecrawl.upload.max-unpacked-bytes)";
        assertThatThrownBy(() -> readTarGz(TestArchives.tarGz(pastLimit), limits))
                .isInstanceOf(RejectedArchiveException.class).hasMessage(message);
        assertThatThrownBy(() -> readZip(TestArchives.zip(pastLimit), limits))
                .isInstanceOf(RejectedArchiveException.class).hasMessage(message);
    }

    @Test
    void aZipEntryOfZerosIsRefusedByItsCompressionRatioLongBeforeItIsUnpacked() {
        // A 2 GiB zip of zeros in small: 4 MiB deflate to 4 KiB.
        List<TestArchives.Entry> entries = List.of(file("run.py", "print(1)\n"),
                file("data/zeros.bin", new byte[FOUR_MIB], 0644), file("after.py", "never read"));
        Map<String, Long> bytesRead = new LinkedHashMap<>();

        assertThatThrownBy(() -> countZip(TestArchives.zip(entries), ratioLimit(DEFAULT_RATIO), bytesRead))
                .isInstanceOf(RejectedArchiveException.class)
                .hasMessageMatching("entry 'data/zeros\\.bin' is refused: it unpacks to more than 200 times its "
                        + "compressed size \\(\\d+ bytes from \\d+\\), the most the operator accepts "
                        + "\\(kubecrawl\\.upload\\.max-compression-ratio\\)");
        assertThat(bytesRead).containsOnlyKeys("run.py", "data/zeros.bin");
        assertThat(bytesRead.get("data/zeros.bin")).isLessThan(2L << 20);
    }

    @Test
    void aTarGzOfZerosIsRefusedByTheRatioOfWhatItUnpacksToToTheBytesReceived() throws Exception {
        // As gzip writes it by default (level 6), zeros deflate a thousandfold.
        byte[] archive = gzip(gunzip(TestArchives.tarGz(file("run.py", "print(1)\n"),
                file("data/zeros.bin", new byte[FOUR_MIB], 0644), file("after.py", "never read"))));
        Map<String, Long> bytesRead = new LinkedHashMap<>();

        assertThatThrownBy(() -> countTarGz(archive, ratioLimit(DEFAULT_RATIO), bytesRead))
                .isInstanceOf(RejectedArchiveException.class)
                .hasMessageMatching("entry 'data/zeros\\.bin' is refused: the archive's files unpack to more than 200 "
                        + "times the bytes received \\(\\d+ bytes from \\d+\\), the most the operator accepts "
                        + "\\(kubecrawl\\.upload\\.max-compression-ratio\\)");
        assertThat(bytesRead).containsOnlyKeys("run.py", "data/zeros.bin");
        assertThat(bytesRead.get("data/zeros.bin")).isLessThan(2L << 20);
    }

    @Test
    void zipEntriesEachTooSmallToJudgeAreJudgedTogetherAgainstTheBytesReceived() {
        // Each under the grace, where its own ratio is not checked; together 4 MiB from a few KiB.
        List<TestArchives.Entry> entries = IntStream.range(0, 8)
                .mapToObj(i -> file("zeros-" + i + ".bin", new byte[FOUR_MIB / 8], 0644)).toList();

        assertThatThrownBy(() -> readZip(TestArchives.zip(entries), ratioLimit(DEFAULT_RATIO)))
                .isInstanceOf(RejectedArchiveException.class)
                .hasMessageStartingWith("entry 'zeros-2.bin' is refused: the archive's files unpack to more than 200 "
                        + "times the bytes received");
    }

    @Test
    void theRatioIsASettingAndContentUnderItOrTooSmallToJudgePasses() throws Exception {
        List<TestArchives.Entry> fourfold = List.of(file("data.bin", TestArchives.fourfoldCompressible(FOUR_MIB, 1),
                0644));
        List<TestArchives.Entry> smallZeros = List.of(file("zeros.bin", new byte[(int) CompressionRatio.GRACE_BYTES],
                0644));

        assertThat(readZip(TestArchives.zip(fourfold), ratioLimit(5))).extracting(Read::path)
                .containsExactly("data.bin");
        assertThat(readTarGz(TestArchives.tarGz(fourfold), ratioLimit(5))).extracting(Read::path)
                .containsExactly("data.bin");
        assertThatThrownBy(() -> readZip(TestArchives.zip(fourfold), ratioLimit(3)))
                .isInstanceOf(RejectedArchiveException.class)
                .hasMessageStartingWith("entry 'data.bin' is refused: it unpacks to more than 3 times its compressed "
                        + "size");
        assertThatThrownBy(() -> readTarGz(TestArchives.tarGz(fourfold), ratioLimit(3)))
                .isInstanceOf(RejectedArchiveException.class)
                .hasMessageStartingWith("entry 'data.bin' is refused: the archive's files unpack to more than 3 "
                        + "times the bytes received");
        assertThat(readZip(TestArchives.zip(smallZeros), ratioLimit(DEFAULT_RATIO))).hasSize(1);
        assertThat(readTarGz(TestArchives.tarGz(smallZeros), ratioLimit(DEFAULT_RATIO))).hasSize(1);
    }

    @Test
    void anArchiveWithoutAFileIsRefused() {
        assertThatThrownBy(() -> readTarGz(TestArchives.tarGz(directory("empty")), 100))
                .isInstanceOf(RejectedArchiveException.class).hasMessageContaining("holds no regular file");
    }

    @Test
    void corruptOrTruncatedArchivesAreUnreadableNotRefusedEntries() throws Exception {
        byte[] archive = TestArchives.tarGz(file("big.bin", TestArchives.randomBytes(200_000, 1), 0644));

        assertThatThrownBy(() -> readTarGz(Arrays.copyOf(archive, archive.length / 2), 100))
                .isInstanceOf(ArchiveReadException.class);
        byte[] corrupt = archive.clone();
        corrupt[archive.length / 2] ^= 0x55;
        assertThatThrownBy(() -> readTarGz(corrupt, 100)).isInstanceOf(ArchiveReadException.class);
        assertThatThrownBy(() -> readZip("PK\u0003\u0004 not really".getBytes(StandardCharsets.ISO_8859_1), 100))
                .isInstanceOf(ArchiveReadException.class);
    }

    @Test
    void aTarGzCutOffInsideAnEntrySaysWhereItEndsRatherThanAnEmptyError() throws Exception {
        byte[] tar = gunzip(TestArchives.tarGz(file("spider/run.py", "print(1)\n"),
                file("spider/big.bin", TestArchives.randomBytes(200_000, 1), 0644)));

        assertThatThrownBy(() -> readTarGz(gzipCutOffAfter(tar, BIG_BIN_CONTENT + 100_000), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessageMatching("the archive ends inside entry 'spider/big\\.bin' \\(after \\d+ of its 200000 "
                        + "bytes\\): the upload was cut off or the file is truncated");
    }

    @Test
    void aTarGzCutOffOutsideAnEntryNamesTheLastWholeOne() throws Exception {
        byte[] archive = TestArchives.tarGz(file("spider/run.py", "print(1)\n"),
                file("spider/big.bin", TestArchives.randomBytes(200_000, 1), 0644));
        byte[] tar = gunzip(archive);

        // Inside the second entry's header.
        assertThatThrownBy(() -> readTarGz(gzipCutOffAfter(tar, BIG_BIN_CONTENT - 400), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessage("the archive ends after entry 'spider/run.py': the upload was cut off or the file is "
                        + "truncated");
        assertThatThrownBy(() -> readTarGz(gzipCutOffAfter(tar, 100), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessage("the archive ends before its first entry: the upload was cut off or the file is "
                        + "truncated");
        assertThatThrownBy(() -> readTarGz(Arrays.copyOf(archive, 5), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessage("the archive ends inside its gzip header: the upload was cut off or the file is "
                        + "truncated");
        // Within the zeros that pad a tar to whole blocks (tar -b 100 writes up to 50 KiB of them).
        byte[] padded = Arrays.copyOf(tar, tar.length + 50 * 1024);
        assertThatThrownBy(() -> readTarGz(gzipCutOffAfter(padded, tar.length + 30 * 1024), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessage("the archive ends after its tar end marker, before the end of its gzip stream: the upload "
                        + "was cut off or the file is truncated");
    }

    @Test
    void aTarCutOffAndThenCompressedWholeSaysWhereItEndsLikewise() throws Exception {
        byte[] tar = gunzip(TestArchives.tarGz(file("spider/run.py", "print(1)\n"),
                file("spider/big.bin", TestArchives.randomBytes(200_000, 1), 0644)));

        assertThatThrownBy(() -> readTarGz(gzip(Arrays.copyOf(tar, BIG_BIN_CONTENT + 1000)), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessage("the archive ends inside entry 'spider/big.bin' (after 1000 of its 200000 bytes): the "
                        + "upload was cut off or the file is truncated");
    }

    @Test
    void aTarGzWithoutTheEndOfItsGzipTrailerIsCutOffToo() {
        byte[] archive = TestArchives.tarGz(file("spider/run.py", "print(1)\n"));

        // The last 8 bytes are the CRC and length that prove the archive arrived whole.
        assertThatThrownBy(() -> readTarGz(Arrays.copyOf(archive, archive.length - 4), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessage("the archive ends after entry 'spider/run.py': the upload was cut off or the file is "
                        + "truncated");
    }

    @Test
    void aZipCutOffHasNoTableOfContentsAndSaysItMayBeTruncated() {
        byte[] archive = TestArchives.zip(file("spider/run.py", "print(1)\n"),
                file("spider/big.bin", TestArchives.randomBytes(200_000, 1), 0644));

        assertThatThrownBy(() -> readZip(Arrays.copyOf(archive, archive.length / 2), 100))
                .isInstanceOf(ArchiveReadException.class)
                .hasMessageContaining("the upload was cut off or the file is truncated");
    }

    @Test
    void moreThanBlockPaddingAfterTheTarIsRefused() throws Exception {
        // A small gzip that inflates to megabytes of zeros after the tar's end: work for nothing.
        ByteArrayOutputStream padded = new ByteArrayOutputStream();
        byte[] tar = gunzip(TestArchives.tarGz(file("a.py", "a")));
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(padded)) {
            gzip.write(tar);
            gzip.write(new byte[ArchiveReader.MAX_TRAILER + 20 * 512]); // Past the padding tar itself skips.
        }

        assertThatThrownBy(() -> readTarGz(padded.toByteArray(), 100)).isInstanceOf(RejectedArchiveException.class)
                .hasMessageContaining("follow the end of the tar archive");
    }

    private static List<Read> readTarGz(byte[] archive, int maxEntries) throws Exception {
        return readTarGz(archive, new ArchiveLimits(maxEntries, Long.MAX_VALUE, DEFAULT_RATIO));
    }

    private static List<Read> readTarGz(byte[] archive, ArchiveLimits limits) throws Exception {
        List<Read> files = new ArrayList<>();
        ArchiveReader.tarGz(new ByteArrayInputStream(archive), limits).forEachFile((path, mode, content) ->
                files.add(new Read(path, mode, new String(content.readAllBytes(), StandardCharsets.UTF_8))));
        return files;
    }

    private List<Read> readZip(byte[] archive, int maxEntries) throws Exception {
        return readZip(archive, new ArchiveLimits(maxEntries, Long.MAX_VALUE, DEFAULT_RATIO));
    }

    private List<Read> readZip(byte[] archive, ArchiveLimits limits) throws Exception {
        Path zip = Files.write(dir.resolve("upload.zip"), archive);
        List<Read> files = new ArrayList<>();
        ArchiveReader.zip(zip, limits).forEachFile((path, mode, content) ->
                files.add(new Read(path, mode, new String(content.readAllBytes(), StandardCharsets.UTF_8))));
        return files;
    }

    private static ArchiveLimits ratioLimit(int maxCompressionRatio) {
        return new ArchiveLimits(100, Long.MAX_VALUE, maxCompressionRatio);
    }

    /** Reads every file in chunks, as the bundle store does, and notes how many bytes of each it got. */
    private static void countTarGz(byte[] archive, ArchiveLimits limits, Map<String, Long> bytesRead)
            throws Exception {
        ArchiveReader.tarGz(new ByteArrayInputStream(archive), limits)
                .forEachFile((path, mode, content) -> countInto(bytesRead, path, content));
    }

    private void countZip(byte[] archive, ArchiveLimits limits, Map<String, Long> bytesRead) throws Exception {
        Path zip = Files.write(dir.resolve("upload.zip"), archive);
        ArchiveReader.zip(zip, limits).forEachFile((path, mode, content) -> countInto(bytesRead, path, content));
    }

    private static void countInto(Map<String, Long> bytesRead, String path, InputStream content) throws IOException {
        byte[] buffer = new byte[8192];
        bytesRead.put(path, 0L);
        int n;
        while ((n = content.read(buffer)) >= 0) {
            bytesRead.merge(path, (long) n, Long::sum);
        }
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(gz)) {
            gzip.write(content);
        }
        return gz.toByteArray();
    }

    /**
     * A gzip of {@code tar} sent up to where exactly its first {@code length} bytes can be inflated, and no further:
     * an upload cut off there.
     */
    private static byte[] gzipCutOffAfter(byte[] tar, int length) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gz, true)) {
            gzip.write(tar, 0, length);
            gzip.flush(); // A sync flush: all that was written can be inflated from what is out so far.
            return gz.toByteArray();
        }
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
