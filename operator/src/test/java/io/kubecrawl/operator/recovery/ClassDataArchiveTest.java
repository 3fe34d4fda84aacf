package io.kubecrawl.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When the operator leaves the archive unwritten for want of memory: only for an AOT cache, which a second JVM in the
 * container assembles, and only when the container has less free than that JVM needs.
 */
class ClassDataArchiveTest {

    private static final long MIB = 1 << 20;

    @Test
    void anAotCacheIsNotWrittenWhenTheContainerHasLessFreeThanItsAssemblyNeeds() {
        assertThat(ClassDataArchive.lackOfMemory(true, 300 * MIB, 512 * MIB)).hasValue(
                "the JVM assembles it in a second JVM in this container, which needs 512 MiB free "
                        + "(KUBECRAWL_RECOVERY_CLASS_DATA_ARCHIVE_FREE_MEMORY), and 300 MiB are free: raise the "
                        + "container's memory limit to keep one");
    }

    @Test
    void anAotCacheIsWrittenWhenEnoughIsFree() {
        assertThat(ClassDataArchive.lackOfMemory(true, 512 * MIB, 512 * MIB)).isEmpty();
    }

    @Test
    void aCdsArchiveIsWrittenInTheOperatorsOwnJvmWhateverIsFree() {
        assertThat(ClassDataArchive.lackOfMemory(false, 0, 512 * MIB)).isEmpty();
    }
}
