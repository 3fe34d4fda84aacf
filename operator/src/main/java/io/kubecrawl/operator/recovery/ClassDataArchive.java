package io.kubecrawl.operator.recovery;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.sun.management.OperatingSystemMXBean;
import io.kubecrawl.operator.config.OperatorSettings;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

/**
 * Writes the JVM's class-data archive ({@link ClassDataDump}: an AOT cache on JDK 25 and later) into the data volume
 * once the operator has recovered and served for a while, when the image's entrypoint asks for one
 * ({@code kubecrawl.recovery.class-data-archive}): the next start of the same build maps it instead of loading,
 * verifying and linking most of its classes one by one, and its JIT compilers start from this run's method profiles,
 * right before the recovery that keeps workers waiting (benchmarks/recovery/README.md).
 *
 * <p>Written while the operator runs rather than as it exits, so that a restart after a kill (out of memory, a node
 * lost) has it too, not only one after a stop. Once per build: with 1,000 CrawlJobs on 2 cores, an AOT cache of 94 MiB
 * took 7.5 s, most of it a second JVM assembling the cache.
 */
@Singleton
public class ClassDataArchive {

    private static final Logger LOG = Logger.getLogger(ClassDataArchive.class);

    private final Optional<Path> archive;
    private final Duration delay;
    private final long freeMemoryNeeded;
    private final RecoveryGate gate;
    private final Vertx vertx;

    public ClassDataArchive(OperatorSettings settings, RecoveryGate gate, Vertx vertx) {
        this.archive = settings.recovery().classDataArchive();
        this.delay = settings.recovery().classDataArchiveDelay();
        this.freeMemoryNeeded = settings.recovery().classDataArchiveFreeMemory();
        this.gate = gate;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent start) {
        if (archive.isPresent()) {
            // A timer's handler runs on the event loop; the dump, which blocks for seconds, on a worker thread.
            gate.whenOpen(() -> vertx.setTimer(delay.toMillis(), timer -> vertx.executeBlocking(this::write, false)));
        }
    }

    private Void write() {
        Optional<String> lackOfMemory = lackOfMemory(ClassDataDump.assemblesInASecondJvm(), freeMemory(),
                freeMemoryNeeded);
        if (lackOfMemory.isPresent()) {
            // The operator runs on without it; its next start trains again.
            LOG.warnf("The class-data archive %s was not written: %s", archive.get(), lackOfMemory.get());
            return null;
        }
        try {
            ClassDataDump.Written written = ClassDataDump.write(archive.get());
            LOG.infof("Class-data archive written to %s (%d MiB in %d ms): the next start of this build loads its "
                    + "classes from it", written.archive(), written.bytes() / (1024 * 1024), written.millis());
        } catch (IOException | RuntimeException e) {
            // The operator runs on without it; its next start trains again.
            LOG.warnf("The class-data archive %s was not written: %s", archive.get(), e.getMessage());
        }
        return null;
    }

    /**
     * Why the archive is not written now: an AOT cache is assembled by a second JVM in this container, next to the
     * operator's and under the same memory limit, and a container that outgrows its limit loses both.
     */
    static Optional<String> lackOfMemory(boolean secondJvm, long freeBytes, long neededBytes) {
        if (!secondJvm || freeBytes >= neededBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format("the JVM assembles it in a second JVM in this container, which needs %d MiB "
                + "free (KUBECRAWL_RECOVERY_CLASS_DATA_ARCHIVE_FREE_MEMORY), and %d MiB are free: raise the "
                + "container's memory limit to keep one", neededBytes >> 20, freeBytes >> 20));
    }

    /** In a container, its memory limit less what it uses (the JDK reads the cgroup); else the machine's. */
    private static long freeMemory() {
        return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getFreeMemorySize();
    }
}
