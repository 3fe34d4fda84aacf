package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sha256 cache in the state directory: what it trusts and what it does not. */
class HashCacheTest {
    @TempDir
    Path directory;

    private BasicFileAttributes attributes(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private Path file(String name, String content, Instant modified) throws IOException {
        Path file = Files.writeString(directory.resolve(name), content);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    @Test
    void anUnchangedFileIsKnownAfterASaveAndALoad() throws IOException {
        Path file = file("a.py", "print('a')\n", Instant.now().minusSeconds(60));
        HashCache cache = HashCache.load(directory);
        cache.put("a.py", attributes(file), 0644, "a".repeat(64));
        cache.save();

        HashCache loaded = HashCache.load(directory);

        assertThat(loaded.lookup("a.py", attributes(file))).contains("a".repeat(64));
        assertThat(loaded.records("a.py", attributes(file), 0644)).isTrue();
        assertThat(loaded.records("a.py", attributes(file), 0755)).as("another mode").isFalse();
        assertThat(Files.readString(directory.resolve(HashCache.FILE_NAME))).startsWith("{\"version\":2,\"files\":{");
    }

    @Test
    void aCacheOfVersionOneHasNoModesAndIsDropped() throws IOException {
        Path file = file("a.py", "print('a')\n", Instant.now().minusSeconds(60));
        BasicFileAttributes attributes = attributes(file);
        Files.writeString(directory.resolve(HashCache.FILE_NAME), "{\"version\":1,\"files\":{\"a.py\":{\"size\":"
                + attributes.size() + ",\"mtimeNanos\":" + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)
                + ",\"fileKey\":\"" + attributes.fileKey() + "\",\"sha256\":\"" + "a".repeat(64) + "\"}}}");

        HashCache loaded = HashCache.load(directory);

        assertThat(loaded.size()).isZero();
        assertThat(loaded.lookup("a.py", attributes)).isEmpty();
    }

    @Test
    void aModeChangeIsRecordedWithoutTheFileBeingReadAgain() throws IOException {
        Path file = file("a.py", "print('a')\n", Instant.now().minusSeconds(60));
        HashCache cache = HashCache.load(directory);
        cache.put("a.py", attributes(file), 0644, "a".repeat(64));

        cache.modeChanged("a.py", 0600);
        cache.modeChanged("unknown.py", 0600);

        assertThat(cache.records("a.py", attributes(file), 0600)).isTrue();
        assertThat(cache.lookup("a.py", attributes(file))).contains("a".repeat(64));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void aFileWhoseSizeTimeOrInodeChangedIsNotKnown() throws IOException {
        Instant then = Instant.now().minusSeconds(60);
        Path sameSize = file("same-size.py", "aaaa", then);
        Path replaced = file("replaced.py", "bbbb", then);
        HashCache cache = HashCache.load(directory);
        cache.put("same-size.py", attributes(sameSize), 0644, "a".repeat(64));
        cache.put("replaced.py", attributes(replaced), 0644, "b".repeat(64));
        cache.save();
        file("same-size.py", "AAAA", then.plusSeconds(1));
        Path other = file("other.py", "bbbb", then);
        Files.move(other, replaced, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        HashCache loaded = HashCache.load(directory);

        assertThat(loaded.lookup("same-size.py", attributes(sameSize))).isEmpty();
        assertThat(loaded.lookup("replaced.py", attributes(replaced))).as("same size and time, another inode")
                .isEmpty();
    }

    @Test
    void anEntryNotOlderThanTheCacheFileIsRacyAndNotTrusted() throws IOException {
        Path file = file("racy.py", "x", Instant.now().plusSeconds(3600));
        HashCache cache = HashCache.load(directory);
        cache.put("racy.py", attributes(file), 0644, "c".repeat(64));
        cache.save();

        assertThat(HashCache.load(directory).lookup("racy.py", attributes(file))).isEmpty();
    }

    @Test
    void aCorruptOrForeignCacheFileIsIgnored() throws IOException {
        Path file = file("a.py", "x", Instant.now().minusSeconds(60));
        for (String content : new String[] {"{not json", "[]", "{\"version\":2,\"files\":{}}",
                "{\"version\":1,\"files\":{\"a.py\":{\"size\":1}}}"}) {
            Files.writeString(directory.resolve(HashCache.FILE_NAME), content);

            HashCache loaded = HashCache.load(directory);

            assertThat(loaded.size()).as(content).isZero();
            assertThat(loaded.lookup("a.py", attributes(file))).as(content).isEmpty();
        }
    }

    @Test
    void retainOnlyForgetsPathsTheBundleNoLongerHas() throws IOException {
        Path a = file("a.py", "a", Instant.now().minusSeconds(60));
        Path b = file("b.py", "b", Instant.now().minusSeconds(60));
        HashCache cache = HashCache.load(directory);
        cache.put("a.py", attributes(a), 0644, "a".repeat(64));
        cache.put("b.py", attributes(b), 0644, "b".repeat(64));

        cache.retainOnly(Set.of("a.py"));
        cache.save();

        HashCache loaded = HashCache.load(directory);
        assertThat(loaded.size()).isEqualTo(1);
        assertThat(loaded.lookup("a.py", attributes(a))).isPresent();
    }
}
