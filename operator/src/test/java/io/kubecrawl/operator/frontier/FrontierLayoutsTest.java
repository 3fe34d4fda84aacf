package io.kubecrawl.operator.frontier;

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

import io.kubecrawl.crd.v1alpha1.Partitioning;
import org.junit.jupiter.api.Test;

/** Jobs with the same seeds and layout settings share one layout, built once; anything else gets its own. */
class FrontierLayoutsTest {

    private static final LayoutSettings SETTINGS = new LayoutSettings(Partitioning.Host, 4, 2);
    private static final List<String> SEEDS = List.of("http://a.test/1", "http://b.test/2", "http://a.test/3");

    private final FrontierLayouts layouts = new FrontierLayouts();
    private final AtomicInteger reads = new AtomicInteger();

    @Test
    void theSameSeedsWithTheSameSettingsAreReadOnceAndShared() {
        FrontierLayout first = layouts.layout("seeds at 1", SETTINGS, counted(SEEDS));
        FrontierLayout second = layouts.layout("seeds at 1", SETTINGS, counted(SEEDS));

        assertThat(second).isSameAs(first);
        assertThat(reads).hasValue(1);
        assertThat(first.requests()).isEqualTo(3);
        assertThat(first.seedsDigest()).isEqualTo(FrontierLayout.of(SeedList.parse(SEEDS), SETTINGS).seedsDigest());
    }

    @Test
    void otherSeedsOrOtherSettingsGetALayoutOfTheirOwn() {
        FrontierLayout before = layouts.layout("seeds at 1", SETTINGS, counted(SEEDS));
        List<String> edited = List.of("http://a.test/1", "http://c.test/9");

        FrontierLayout after = layouts.layout("seeds at 2", SETTINGS, counted(edited));
        FrontierLayout oneSlot = layouts.layout("seeds at 1", new LayoutSettings(Partitioning.None, 1, 2),
                counted(SEEDS));

        assertThat(reads).hasValue(3);
        assertThat(after.requests()).isEqualTo(2);
        assertThat(after.seedsDigest()).isNotEqualTo(before.seedsDigest());
        assertThat(oneSlot.slots()).isEqualTo(1);
        assertThat(before.slots()).isEqualTo(4);
    }

    @Test
    void invalidSeedsFailEveryJobWithTheSameErrorAndNothingIsKept() {
        List<String> invalid = List.of("http://a.test/1", "ftp://b.test/2");

        for (int job = 0; job < 2; job++) {
            assertThatThrownBy(() -> layouts.layout("seeds at 1", SETTINGS, counted(invalid)))
                    .isInstanceOf(InvalidSeedException.class)
                    .hasMessage("seed line 2: 'ftp://b.test/2' is not an http or https URL");
        }
        assertThat(reads).as("a failure is not kept: each job reads and reports it").hasValue(2);
        assertThat(layouts.layout("seeds at 1", SETTINGS, counted(SEEDS)).requests())
                .as("the seeds once fixed (as a new name says)").isEqualTo(3);
    }

    @Test
    void jobsAskingAtOnceWaitForOneRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Supplier<List<String>> slowRead = () -> {
            reads.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return SEEDS;
        };
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Thread> threads = new ArrayList<>();
        try {
            List<Future<FrontierLayout>> asked = new ArrayList<>();
            for (int job = 0; job < 4; job++) {
                asked.add(pool.submit(() -> {
                    synchronized (threads) {
                        threads.add(Thread.currentThread());
                    }
                    return layouts.layout("seeds at 1", SETTINGS, slowRead);
                }));
            }
            // Every job is inside the cache: one reading, the others waiting for it.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                synchronized (threads) {
                    return threads.size() == 4 && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                            || t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.BLOCKED);
                }
            });
            release.countDown();

            FrontierLayout first = asked.get(0).get(10, TimeUnit.SECONDS);
            for (Future<FrontierLayout> layout : asked) {
                assertThat(layout.get(10, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(reads).hasValue(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private Supplier<List<String>> counted(List<String> lines) {
        return () -> {
            reads.incrementAndGet();
            return lines;
        };
    }
}
