package io.kubecrawl.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClassDataDump} in a JVM that does not record what a dynamic archive needs (this one): the JVM's reason
 * reaches the caller and nothing is left behind. The archive a recording JVM writes, and its use by the next start, are
 * shown by the image's entrypoint in {@code io.kubecrawl.operator.image.EntrypointTest}.
 */
class ClassDataDumpTest {

    @TempDir
    Path dir;

    @Test
    void aJvmThatDoesNotRecordWritesNoArchiveAndSaysWhy() throws IOException {
        Path archive = dir.resolve("operator-1.jsa");

        assertThatThrownBy(() -> ClassDataDump.write(archive)).isInstanceOf(IOException.class)
                .hasMessageContaining("the JVM wrote no class-data archive")
                .hasMessageContaining("-XX:+RecordDynamicDumpInfo");

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("files left in the archive's directory").isEmpty();
        }
    }
}
