package io.kubecrawl.operator.items;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.protobuf.ByteString;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.protocol.CrawlJobName;

/**
 * The items of one batch on their way in: appended to a temporary file, then either committed (renamed over the
 * batch's file) or discarded. Not thread-safe: one gRPC stream writes one upload.
 */
public final class ItemUpload implements AutoCloseable {

    private final ItemStore store;
    private final CrawlJobName job;
    private final BatchId batch;
    private final Path file;
    private final OutputStream out;
    private boolean finished;

    ItemUpload(ItemStore store, CrawlJobName job, BatchId batch, Path file) throws IOException {
        this.store = store;
        this.job = job;
        this.batch = batch;
        this.file = file;
        this.out = Files.newOutputStream(file);
    }

    public void append(byte[] data) {
        try {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends a chunk as gRPC delivered it, without copying it into an array first. */
    public void append(ByteString data) {
        try {
            data.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks the upload and makes it the batch's items.
     *
     * @return the number of items
     * @throws InvalidItemsException if a line is not a JSON object; the upload is then discarded
     */
    public long commit() {
        try {
            out.close();
            long items = ItemStore.checkLines(file);
            store.commit(this, items);
            finished = true;
            return items;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!finished) {
                discard();
            }
        }
    }

    /** Drops the upload; nothing of it was ever visible. */
    public void discard() {
        finished = true;
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!finished) {
            discard();
        }
    }

    CrawlJobName job() {
        return job;
    }

    BatchId batch() {
        return batch;
    }

    Path file() {
        return file;
    }
}
