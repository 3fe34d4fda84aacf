package io.kubecrawl.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callers of the same key share reads, but each gets a read that started after it asked: the number of the read
 * stands for the version it saw.
 */
class SharedReadsTest {

    private final SharedReads<String, Integer> reads = new SharedReads<>();
    private final AtomicInteger started = new AtomicInteger();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void oneCallerAfterAnotherReadsAgain() {
        assertThat(reads.read("seeds", this::count)).isEqualTo(1);
        assertThat(reads.read("seeds", this::count)).isEqualTo(2);
        assertThat(reads.read("other", this::count)).isEqualTo(3);
    }

    @Test
    void callersAskingDuringAReadShareTheNextOneNotTheReadUnderWay() throws Exception {
        CountDownLatch firstMayEnd = new CountDownLatch(1);
        Supplier<Integer> slowFirst = () -> {
            int read = started.incrementAndGet();
            if (read == 1) {
                awaitRelease(firstMayEnd);
            }
            return read;
        };
        Future<Integer> first = pool.submit(() -> reads.read("seeds", slowFirst));
        await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 1);
        List<Thread> waiting = new ArrayList<>();
        List<Future<Integer>> later = new ArrayList<>();
        for (int caller = 0; caller < 3; caller++) {
            later.add(pool.submit(() -> {
                synchronized (waiting) {
                    waiting.add(Thread.currentThread());
                }
                return reads.read("seeds", slowFirst);
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (waiting) {
                return waiting.size() == 3 && waiting.stream().allMatch(t -> t.getState() == Thread.State.WAITING);
            }
        });

        firstMayEnd.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        for (Future<Integer> caller : later) {
            assertThat(caller.get(10, TimeUnit.SECONDS)).as("a read started after it asked, shared").isEqualTo(2);
        }
        assertThat(started).hasValue(2);
    }

    @Test
    void aFailedReadFailsItsCallersAndTheNextCallerReadsAgain() {
        assertThatThrownBy(() -> reads.read("seeds", () -> {
            throw new IllegalStateException("the API server is away");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the API server is away");

        assertThat(reads.read("seeds", this::count)).isEqualTo(1);
    }

    private Integer count() {
        return started.incrementAndGet();
    }

    private static void awaitRelease(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
