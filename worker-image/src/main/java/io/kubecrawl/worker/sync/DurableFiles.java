package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small files written so that a crash leaves either the old content or the new, never a mix or nothing. */
final class DurableFiles {

    private DurableFiles() {
    }

    /** Writes {@code content} to a temporary name beside {@code file}, fsyncs it, renames it into place, fsyncs the directory. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        TargetDirectory.fsyncDirectory(file.getParent());
    }

    /** Deletes {@code file} if it exists, durably. */
    static void deleteDurably(Path file) throws IOException {
        if (Files.deleteIfExists(file)) {
            TargetDirectory.fsyncDirectory(file.getParent());
        }
    }
}
