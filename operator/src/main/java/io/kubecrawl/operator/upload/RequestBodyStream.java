package io.kubecrawl.operator.upload;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * An HTTP request's body as a blocking {@link InputStream} for a worker thread, with back-pressure: the request stays
 * paused and only a small window of chunks is asked for ahead of the reader, so memory holds at most
 * {@value #WINDOW} chunks (a few hundred KiB) however large the body and however slow the disk. A client that goes
 * away or stalls makes the read fail, and {@link #interrupted()} tells so.
 *
 * <p>The Vert.x handlers run on the event loop, the reads on a worker; they meet under one lock.
 */
final class RequestBodyStream extends InputStream {

    /** Chunks asked for ahead of the reader (an HTTP/1.1 chunk is 8 KiB by default). */
    static final int WINDOW = 32;

    private final HttpServerRequest request;
    private final Duration stallTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Buffer> queue = new ArrayDeque<>();
    /** Chunks asked for that have not arrived. */
    private int requested;
    private boolean ended;
    private boolean discarding;
    private IOException failure;
    private Buffer current;
    private int position;

    private RequestBodyStream(HttpServerRequest request, Duration stallTimeout) {
        this.request = request;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Takes over the request's body. Call on the event loop, in the handler that received the request, before it
     * returns: chunks that arrive before a handler is set are lost.
     */
    static RequestBodyStream attach(HttpServerRequest request, Duration stallTimeout) {
        RequestBodyStream body = new RequestBodyStream(request, stallTimeout);
        request.pause();
        request.handler(body::arrived);
        request.endHandler(nothing -> body.end());
        request.exceptionHandler(body::failed);
        return body;
    }

    /** Whether the client went away, or sent nothing for too long, before the body ended. */
    boolean interrupted() {
        lock.lock();
        try {
            return failure != null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the whole body has arrived. */
    boolean complete() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops reading the body for good: the rest is let through and dropped (so that the client, still sending,
     * gets to read the answer), nothing more is kept.
     */
    void discardRest() {
        lock.lock();
        try {
            discarding = true;
            queue.clear();
            current = null;
        } finally {
            lock.unlock();
        }
        request.resume();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || position >= current.length()) {
            current = next();
            position = 0;
            if (current == null) {
                return -1;
            }
        }
        int n = Math.min(length, current.length() - position);
        current.getBytes(position, position + n, target, offset);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length() - position;
    }

    /** The next chunk, waiting for it if need be; null at the end of the body. */
    private Buffer next() throws IOException {
        long deadline = System.nanoTime() + stallTimeout.toNanos();
        while (true) {
            Buffer chunk;
            int ask = 0;
            lock.lock();
            try {
                if (failure != null) {
                    throw failure;
                }
                if (discarding) {
                    throw new IOException("the upload is no longer read");
                }
                chunk = queue.poll();
                if (chunk == null && ended) {
                    return null;
                }
                // Keep the window full: ask for more once half of it has been read.
                int inFlight = requested + queue.size();
                if (!ended && inFlight <= WINDOW / 2) {
                    ask = WINDOW - inFlight;
                    requested += ask;
                }
                if (chunk == null && ask == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        failure = new IOException("the client sent nothing for " + stallTimeout.toSeconds() + "s");
                        request.connection().close();
                        throw failure;
                    }
                    changed.await(left, TimeUnit.NANOSECONDS);
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the upload", e);
            } finally {
                lock.unlock();
            }
            // Outside the lock: Vert.x may deliver a chunk right away, to the handler that takes it.
            if (ask > 0) {
                try {
                    request.fetch(ask);
                } catch (IllegalStateException endedMeanwhile) {
                    // The body ended after the check above ("Request has already been read"): its end handler marks
                    // the end, and the loop returns it. Seen in about one in three concurrent uploads over HTTP/2.
                }
            }
            if (chunk != null) {
                return chunk;
            }
        }
    }

    private void arrived(Buffer chunk) {
        lock.lock();
        try {
            requested = Math.max(0, requested - 1);
            if (!discarding && failure == null) {
                queue.add(chunk);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void failed(Throwable cause) {
        lock.lock();
        try {
            if (!ended && failure == null) {
                failure = new IOException("the upload was interrupted: " + cause.getMessage(), cause);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
