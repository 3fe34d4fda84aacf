package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class WritebackTest {
    private static final long MIB = 1 << 20;

    @Test
    void aFileSmallerThanOneStretchGetsNoWriteback() {
        assertThat(Writeback.forFile(new ForceCounting(), 0, Writeback.STRETCH_BYTES - 1)).isNull();
        assertThat(Writeback.forFile(new ForceCounting(), 10 * MIB, 10 * MIB + Writeback.STRETCH_BYTES - 1))
                .as("only what is left to write counts").isNull();
    }

    @Test
    void eachStretchWrittenStartsOneFlushOfTheData() throws Exception {
        ForceCounting channel = new ForceCounting();
        Writeback writeback = Writeback.forFile(channel, 0, 10 * Writeback.STRETCH_BYTES);

        writeback.written(Writeback.STRETCH_BYTES - 1);
        assertThat(channel.forces.get()).as("not a whole stretch yet").isZero();
        writeback.written(Writeback.STRETCH_BYTES);
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.forces.get() == 1);
        // Written again until the first flush has ended and the next one starts: at most one runs at a time.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            writeback.written(2 * Writeback.STRETCH_BYTES);
            return channel.forces.get() == 2;
        });
        writeback.written(2 * Writeback.STRETCH_BYTES + 1);

        assertThat(channel.forces.get()).as("no stretch since the second flush").isEqualTo(2);
        assertThat(channel.metadataForces.get()).as("fdatasync, not fsync: the final fsync covers the rest").isZero();
        writeback.check();
    }

    @Test
    void aFlushInProgressIsNotJoinedByAnother() throws Exception {
        ForceCounting channel = new ForceCounting();
        channel.blockForces();
        Writeback writeback = Writeback.forFile(channel, 0, 10 * Writeback.STRETCH_BYTES);

        writeback.written(Writeback.STRETCH_BYTES);
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.forces.get() == 1);
        writeback.written(2 * Writeback.STRETCH_BYTES);
        writeback.written(3 * Writeback.STRETCH_BYTES);
        assertThat(channel.forces.get()).as("the first flush still runs").isEqualTo(1);
        channel.releaseForces();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            writeback.written(4 * Writeback.STRETCH_BYTES);
            return channel.forces.get() == 2;
        });
        assertThat(channel.mostAtOnce.get()).isEqualTo(1);
    }

    @Test
    void aFailedFlushIsReportedByCheck() throws Exception {
        ForceCounting channel = new ForceCounting();
        channel.failForces(new IOException("No space left on device"));
        Writeback writeback = Writeback.forFile(channel, 0, 10 * Writeback.STRETCH_BYTES);

        writeback.written(Writeback.STRETCH_BYTES);
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.forces.get() == 1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatIOException()
                .isThrownBy(writeback::check).withMessage("No space left on device"));
    }

    /** A channel that only counts {@link #force} calls (and can hold or fail them); nothing else is used. */
    private static final class ForceCounting extends FileChannel {
        final AtomicInteger forces = new AtomicInteger();
        final AtomicInteger metadataForces = new AtomicInteger();
        final AtomicInteger atOnce = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        private volatile CountDownLatch held = new CountDownLatch(0);
        private volatile IOException failure;

        void blockForces() {
            held = new CountDownLatch(1);
        }

        void releaseForces() {
            held.countDown();
        }

        void failForces(IOException failure) {
            this.failure = failure;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            try {
                forces.incrementAndGet();
                if (metaData) {
                    metadataForces.incrementAndGet();
                }
                if (!held.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("held too long");
                }
                if (failure != null) {
                    throw failure;
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            } finally {
                atOnce.decrementAndGet();
            }
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long size() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
        }
    }
}
