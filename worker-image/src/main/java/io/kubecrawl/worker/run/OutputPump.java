package io.kubecrawl.worker.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads one output stream of the spider (stdout or stderr) to its end and hands over each line without its line end.
 * Bytes that are not UTF-8 become U+FFFD rather than stopping the pump, and a line longer than
 * {@value #MAX_LINE_CHARS} characters is handed over in pieces, so that a spider printing megabytes without a newline
 * cannot grow the agent's memory.
 */
final class OutputPump implements Runnable {
    static final int MAX_LINE_CHARS = 16 * 1024;

    private final InputStream stream;
    private final Consumer<String> lines;

    OutputPump(InputStream stream, Consumer<String> lines) {
        this.stream = stream;
        this.lines = lines;
    }

    @Override
    public void run() {
        StringBuilder line = new StringBuilder();
        char[] buffer = new char[8192];
        try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            int read;
            while ((read = reader.read(buffer)) >= 0) {
                for (int i = 0; i < read; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        emit(line);
                    } else {
                        line.append(c);
                        if (line.length() >= MAX_LINE_CHARS) {
                            emit(line);
                        }
                    }
                }
            }
        } catch (IOException closed) {
            // The stream was closed under the pump (the process was killed): what was read so far still counts.
        }
        if (!line.isEmpty()) {
            emit(line);
        }
    }

    private void emit(StringBuilder line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        lines.accept(line.substring(0, end));
        line.setLength(0);
    }
}
