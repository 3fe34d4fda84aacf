package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class OutputPumpTest {

    @Test
    void linesLoseTheirLineEndsWhetherLfOrCrlfAndAnUnterminatedLastLineCounts() {
        assertThat(pump("one\ntwo\r\n\nlast".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("one", "two", "", "last");
    }

    @Test
    void anEndlessLineIsHandedOverInPieces() {
        String endless = "x".repeat(OutputPump.MAX_LINE_CHARS * 2 + 5);

        assertThat(pump((endless + "\n").getBytes(StandardCharsets.UTF_8)))
                .containsExactly("x".repeat(OutputPump.MAX_LINE_CHARS), "x".repeat(OutputPump.MAX_LINE_CHARS),
                        "xxxxx");
    }

    @Test
    void bytesThatAreNotUtf8BecomeReplacementCharactersInsteadOfStoppingThePump() {
        byte[] output = {'a', (byte) 0xff, 'b', '\n', 'c', '\n'};

        assertThat(pump(output)).containsExactly("a\ufffdb", "c");
    }

    private static List<String> pump(byte[] output) {
        List<String> lines = new ArrayList<>();
        new OutputPump(new ByteArrayInputStream(output), lines::add).run();
        return lines;
    }
}
