package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.protocol.v1.FilesChunk;
import io.kubecrawl.protocol.v1.ReadFilesRequest;

/**
 * Small files fetched together in one ReadFiles call, so that the per-call work of gRPC (headers, credentials, stream
 * setup, on both sides) is paid once per group rather than once per file. Each file is written to its part file while
 * it is hashed, verified, and handed over for commit as soon as its last chunk is in, exactly as a {@link FileDownload}
 * does it alone.
 *
 * <p>There is one attempt and no retry here: a file that fails its check, and every file not yet verified when the
 * call fails, is returned to be fetched on its own, with the retries, backoff and resume of {@link FileDownload}.
 */
final class FileGroupDownload {

    /** Takes a verified file for the commit stage; may block while that stage is full. */
    @FunctionalInterface
    interface Handover {
        void accept(FileDownload download, FileDownload.Verified verified) throws InterruptedException;
    }

    /**
     * What one group call left: the files still to fetch on their own, and the call's failure (null when the stream
     * ended as the protocol says; files may still have failed their check).
     */
    record Outcome(List<FileDownload> notVerified, Throwable callFailure) {
        /** The server predates ReadFiles: no point asking it again. */
        boolean unimplemented() {
            return callFailure != null && Status.fromThrowable(callFailure).getCode() == Status.Code.UNIMPLEMENTED;
        }
    }

    private final List<FileDownload> downloads;
    private final BundleClient client;

    FileGroupDownload(List<FileDownload> downloads, BundleClient client) {
        this.downloads = downloads;
        this.client = client;
    }

    Outcome fetch(Handover handover) throws InterruptedException {
        List<String> sha256s = new ArrayList<>(downloads.size());
        for (FileDownload download : downloads) {
            sha256s.add(download.file().sha256());
        }
        boolean[] handedOver = new boolean[downloads.size()];
        int current = -1;
        FileDownload.WholeFile arriving = null;
        Throwable callFailure = null;
        try (ChunkStream<ReadFilesRequest, FilesChunk> stream = client.readFiles(sha256s)) {
            for (FilesChunk chunk = stream.next(); chunk != null; chunk = stream.next()) {
                if (arriving == null) {
                    if (chunk.getIndex() != current + 1 || current + 1 >= downloads.size()) {
                        throw new TransientFailure.BrokenStream("a chunk of file " + chunk.getIndex()
                                + " of the group arrived, expected file " + (current + 1));
                    }
                    current++;
                    arriving = downloads.get(current).receiveWhole();
                } else if (chunk.getIndex() != current) {
                    throw new TransientFailure.BrokenStream("a chunk of file " + chunk.getIndex()
                            + " of the group arrived before the last chunk of file " + current);
                }
                FileDownload download = downloads.get(current);
                arriving.write(chunk.getOffset(), chunk.getData());
                if (!chunk.getLast()) {
                    continue;
                }
                FileDownload.WholeFile complete = arriving;
                arriving = null;
                FileDownload.Verified verified;
                try {
                    verified = complete.verify();
                } catch (TransientFailure.HashMismatch mismatch) {
                    // Only this file's bytes were wrong; the stream goes on with the next file.
                    complete.close();
                    download.failedInBatch(mismatch);
                    continue;
                } catch (IOException | TransientFailure failure) {
                    complete.close();
                    throw failure;
                }
                handedOver[current] = true;
                handover.accept(download, verified);
            }
            if (current != downloads.size() - 1) {
                throw new TransientFailure.BrokenStream("the group's stream ended after " + (current + 1) + " of "
                        + downloads.size() + " files");
            }
        } catch (StatusRuntimeException | TransientFailure | IOException failure) {
            // A local I/O failure is not reported here: the file's own fetch meets it again and names it.
            callFailure = failure;
            if (current >= 0 && !handedOver[current]) {
                downloads.get(current).failedInBatch(failure);
            }
        } finally {
            if (arriving != null) {
                closeQuietly(arriving);
            }
        }
        List<FileDownload> notVerified = new ArrayList<>();
        for (int i = 0; i < downloads.size(); i++) {
            if (!handedOver[i]) {
                notVerified.add(downloads.get(i));
            }
        }
        return new Outcome(notVerified, callFailure);
    }

    private static void closeQuietly(FileDownload.WholeFile arriving) {
        try {
            arriving.close();
        } catch (IOException ignored) {
            // The part file stays; the file's own fetch starts by emptying or resuming it.
        }
    }
}
