package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class PartFileTest {
    @Test
    void aPartFileSitsBesideItsFileUnderAHiddenName() {
        assertThat(PartFile.of("crawlab_project/spiders/quotes.py"))
                .isEqualTo("crawlab_project/spiders/.quotes.py.kubecrawl-part");
        assertThat(PartFile.of(Path.of("/workspace/scrapy.cfg")))
                .isEqualTo(Path.of("/workspace/.scrapy.cfg.kubecrawl-part"));
        assertThat(PartFile.isPartName(".quotes.py.kubecrawl-part")).isTrue();
        assertThat(PartFile.isPartName("quotes.py")).isFalse();
    }

    @Test
    void aNameTooLongForASuffixGetsAHashedPartName() {
        String longName = "n".repeat(250);

        String part = PartFile.of("dir/" + longName);

        assertThat(part).startsWith("dir/.kubecrawl-part-").hasSize("dir/.kubecrawl-part-".length() + 32);
        assertThat(PartFile.isPartName(Path.of(part).getFileName().toString())).isTrue();
        assertThat(PartFile.of("dir/" + longName)).isEqualTo(part);
    }
}
