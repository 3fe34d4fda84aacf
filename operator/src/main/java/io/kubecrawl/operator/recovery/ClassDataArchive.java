package io.kubecrawl.operator.recovery;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

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
    private final RecoveryGate gate;
    private final Vertx vertx;

    public ClassDataArchive(OperatorSettings settings, RecoveryGate gate, Vertx vertx) {
        this.archive = settings.recovery().classDataArchive();
        this.delay = settings.recovery().classDataArchiveDelay();
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
}
