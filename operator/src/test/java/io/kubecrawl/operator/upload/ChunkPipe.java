package io.kubecrawl.operator.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded pipe of 1 MiB chunks from one writer thread to one reader thread, for bodies generated while they are
 * sent: at most {@value #DEPTH} chunks in memory. (java.io's piped streams hand over a buffer at a time with
 * one-second waits, far too slow for gigabytes.)
 */
final class ChunkPipe {

    private static final int CHUNK = 1 << 20;
    private static final int DEPTH = 4;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(DEPTH);
    private volatile Throwable failure;

    /** Ends the pipe with a failure: the reader's next read at the end throws it. */
    void fail(Throwable cause) {
        failure = cause;
        chunks.clear();
        chunks.offer(END);
    }

    OutputStream sink() {
        return new OutputStream() {
            private byte[] chunk = new byte[CHUNK];
            private int length;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int count) throws IOException {
                while (count > 0) {
                    int n = Math.min(count, CHUNK - length);
                    System.arraycopy(bytes, offset, chunk, length, n);
                    length += n;
                    offset += n;
                    count -= n;
                    if (length == CHUNK) {
                        hand(chunk);
                        chunk = new byte[CHUNK];
                        length = 0;
                    }
                }
            }

            @Override
            public void close() throws IOException {
                if (length > 0) {
                    hand(java.util.Arrays.copyOf(chunk, length));
                    length = 0;
                }
                hand(END);
            }
        };
    }

    InputStream source() {
        return new InputStream() {
            private byte[] chunk;
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                while (chunk == null || position == chunk.length) {
                    if (chunk == END) {
                        return -1;
                    }
                    try {
                        chunk = chunks.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException();
                    }
                    position = 0;
                    if (chunk == END) {
                        if (failure != null) {
                            throw new IOException("the body's writer failed", failure);
                        }
                        return -1;
                    }
                }
                int n = Math.min(length, chunk.length - position);
                System.arraycopy(chunk, position, target, offset, n);
                position += n;
                return n;
            }
        };
    }

    private void hand(byte[] chunk) throws IOException {
        try {
            chunks.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }
}
