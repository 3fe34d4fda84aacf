package io.kubecrawl.operator.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.kubecrawl.operator.config.OperatorSettings;
import org.jboss.logging.Logger;

/**
 * Test-only crashes at named points. With {@code KUBECRAWL_TEST_KILL_POINTS} (a list of {@link KillPoint}
 * names separated by commas or spaces, in any case, '-' for '_') set, the operator halts the first time it reaches each named point
 * with {@link Runtime#halt}, the in-process equivalent of SIGKILL: no shutdown hook runs, nothing is flushed that the
 * code did not flush itself. Each point fires once per data volume (a marker in {@code kill-points/} remembers it), so
 * that the restarted operator, which has the same environment, carries on past it. The chart never sets the variable.
 */
@Singleton
public class KillPoints {
    private static final Logger LOG = Logger.getLogger(KillPoints.class);
    /** The exit status of a process killed by SIGKILL, which the restarting kubelet reports. */
    static final int KILLED = 137;

    private final Set<KillPoint> armed;
    private final Path markers;
    private final Halt halt;

    /** How the process ends: {@link Runtime#halt} in the operator, something a test can observe in unit tests. */
    interface Halt {
        void now(int status);
    }

    @Inject
    public KillPoints(OperatorSettings settings) {
        this(settings.test().killPoints().orElse(""), Path.of(settings.dataDir()).resolve("kill-points"),
                Runtime.getRuntime()::halt);
    }

    KillPoints(String points, Path markers, Halt halt) {
        this.armed = parse(points);
        this.markers = markers;
        this.halt = halt;
        if (!armed.isEmpty()) {
            LOG.warnf("Test kill points armed: %s (set by KUBECRAWL_TEST_KILL_POINTS; never in production)", armed);
        }
    }

    /** No point armed: for code run outside the operator, such as component tests. */
    public static KillPoints none() {
        return new KillPoints("", Path.of("kill-points"), status -> {
            throw new IllegalStateException("no kill point is armed");
        });
    }

    /** Halts the process if {@code point} is armed and has not fired on this volume yet; otherwise returns. */
    public void reach(KillPoint point) {
        reach(point, null);
    }

    /**
     * As {@link #reach(KillPoint)}, naming what reached it ({@code where}, for example the CrawlJob) in the halting
     * line, so that a test that sees a point fire where it did not expect can tell which resource got there.
     */
    public void reach(KillPoint point, Object where) {
        if (point == null || !armed.contains(point)) {
            return;
        }
        synchronized (this) {
            Path marker = markers.resolve(point.name());
            if (Files.exists(marker)) {
                return;
            }
            try {
                Files.createDirectories(markers);
                try (FileChannel file = FileChannel.open(marker, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    file.force(true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot mark kill point " + point, e);
            }
            // The one line that says why the process ended; stderr is not buffered.
            System.err.println("KILL POINT " + point + " reached" + (where == null ? "" : " at " + where)
                    + ": halting the operator as SIGKILL would");
            halt.now(KILLED);
        }
    }

    private static Set<KillPoint> parse(String points) {
        Set<KillPoint> parsed = EnumSet.noneOf(KillPoint.class);
        for (String name : points.split("[,\\s]+")) {
            if (!name.isBlank()) {
                parsed.add(KillPoint.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            }
        }
        return parsed;
    }
}
