package io.kubecrawl.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KillPointsTest {

    @TempDir
    Path markers;

    private final List<Integer> halts = new ArrayList<>();

    @Test
    void anArmedPointHaltsOnceAsSigkillWouldAndNotAgainOnTheSameVolume() {
        KillPoints points = new KillPoints("items-committed worker_job_created", markers, halts::add);

        points.reach(KillPoint.TOKEN_CREATED);
        points.reach(KillPoint.ITEMS_COMMITTED);
        points.reach(KillPoint.ITEMS_COMMITTED);
        new KillPoints("items-committed", markers, halts::add).reach(KillPoint.ITEMS_COMMITTED);

        assertThat(halts).containsExactly(KillPoints.KILLED);
        assertThat(markers.resolve("ITEMS_COMMITTED")).exists();
        points.reach(KillPoint.WORKER_JOB_CREATED);
        assertThat(halts).hasSize(2);
    }

    @Test
    void nothingIsArmedWithoutTheSetting() {
        KillPoints points = new KillPoints("", markers, halts::add);

        for (KillPoint point : KillPoint.values()) {
            points.reach(point);
        }

        assertThat(halts).isEmpty();
        assertThat(markers).isEmptyDirectory();
    }

    @Test
    void anUnknownPointIsRefusedAtStart() {
        assertThatThrownBy(() -> new KillPoints("after-lunch", markers, halts::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AFTER_LUNCH");
    }
}
