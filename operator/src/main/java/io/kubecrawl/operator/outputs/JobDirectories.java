package io.kubecrawl.operator.outputs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.kubecrawl.protocol.CrawlJobName;

/**
 * The {@code <root>/<namespace>/<job>/} directories in which a store keeps each job's files: the item store and the
 * log store lay their files out this way, and their garbage collection reads them back.
 */
public final class JobDirectories {

    private final Path root;

    public JobDirectories(Path root) {
        this.root = root;
    }

    public Path of(CrawlJobName job) {
        return root.resolve(job.namespace()).resolve(job.name());
    }

    /** Every job with a directory here. Entries that are not directories, or not object names, are not jobs. */
    public Set<CrawlJobName> jobs() {
        Set<CrawlJobName> jobs = new HashSet<>();
        try (DirectoryStream<Path> namespaces = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path namespace : namespaces) {
                try (DirectoryStream<Path> names = Files.newDirectoryStream(namespace, Files::isDirectory)) {
                    for (Path name : names) {
                        String ns = namespace.getFileName().toString();
                        String job = name.getFileName().toString();
                        if (CrawlJobName.isObjectName(ns) && CrawlJobName.isObjectName(job)) {
                            jobs.add(new CrawlJobName(ns, job));
                        }
                    }
                }
            }
        } catch (NoSuchFileException gone) {
            // A namespace directory deleted meanwhile has no job left.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return jobs;
    }

    /**
     * When the job's directory or any file in it was last changed; empty when it has no directory. Appending to a
     * file does not change its directory's time, so the files are read too.
     */
    public Optional<Instant> lastWrite(CrawlJobName job) {
        Path dir = of(job);
        try {
            Instant newest = Files.getLastModifiedTime(dir).toInstant();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    Instant written = Files.getLastModifiedTime(file).toInstant();
                    if (written.isAfter(newest)) {
                        newest = written;
                    }
                }
            }
            return Optional.of(newest);
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /** Deletes the job's files and its directory; a job without one is left as it is. */
    public void delete(CrawlJobName job) throws IOException {
        Path dir = of(job);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException writtenMeanwhile) {
            // A file arrived after the listing: it stays, and so does the directory, until the next deletion.
        }
    }
}
