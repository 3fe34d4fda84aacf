package io.kubecrawl.worker.run;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import io.kubecrawl.protocol.v1.DiscoveredRequests;
import io.kubecrawl.worker.OneLine;

/**
 * The discovered requests file a spider writes in Frontier mode ({@code KUBECRAWL_DISCOVERED_FILE}), read as the
 * {@code DiscoveredRequests} parts of the batch's CompleteBatch. One JSON object per line, UTF-8; blank lines are
 * skipped:
 *
 * <pre>
 * {"url": "https://example.com/page/2/", "fingerprint": "5f1c...", "dont_filter": false, "priority": 0,
 *  "depth": 1, "referrer": "https://example.com/", "request": "{\"kubecrawl_request\":1,...}"}
 * </pre>
 *
 * <ul>
 * <li>{@code url}: a non-empty string; {@code fingerprint}: the request's fingerprint as hex digits (an even number,
 * at least two); {@code request}: a string holding one JSON object, on one line, which the operator sends back
 * unchanged as a line of a later batch. These three are required.</li>
 * <li>{@code dont_filter} (boolean, default false), {@code priority} (32-bit integer, default 0), {@code depth}
 * (integer from 0, default 1: a link on a seed's page) and {@code referrer} (string, default empty) are
 * optional. Other fields are ignored.</li>
 * </ul>
 *
 * <p>Anything else is {@link Malformed}: the attempt fails rather than have a request silently dropped. The file is
 * read as a stream, a line at a time, never whole; a line longer than {@value #MAX_LINE_BYTES} bytes is malformed too.
 * A file that does not exist holds no requests (a spider that discovered none need not write one).
 */
final class DiscoveredRequestsFile {
    /** The most requests in one {@code DiscoveredRequests} part. */
    static final int PART_REQUESTS = 500;
    /** The most bytes of one part, as encoded, unless one request alone is larger (its line is at most 1 MiB). */
    static final int PART_BYTES = 1024 * 1024;
    /** The longest line: the operator takes messages of up to 4 MiB, and a line must never fill the heap. */
    static final int MAX_LINE_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final HexFormat HEX = HexFormat.of();

    /** A line that is not a discovered request; the message, on one line, names the line and why. */
    static final class Malformed extends Exception {
        Malformed(long line, String why) {
            super("line " + line + ": " + OneLine.of(why));
        }
    }

    /** Takes one part, waiting until the stream can carry it. */
    @FunctionalInterface
    interface PartSink {
        void send(DiscoveredRequests part) throws InterruptedException;
    }

    private DiscoveredRequestsFile() {
    }

    /**
     * Reads every line of {@code file} and checks it.
     *
     * @return how many requests the file holds
     * @throws Malformed at the first line that is not a discovered request
     */
    static long check(Path file) throws IOException, Malformed {
        long count = 0;
        try (Lines lines = Lines.open(file)) {
            while (lines.next() != null) {
                count++;
            }
        }
        return count;
    }

    /**
     * Reads {@code file} a line at a time and hands its requests to {@code sink} in parts of at most
     * {@value #PART_REQUESTS} requests and about {@value #PART_BYTES} bytes, in file order.
     *
     * @return how many requests were sent
     * @throws Malformed at the first line that is not a discovered request (the parts before it are sent already)
     */
    static long send(Path file, PartSink sink) throws IOException, Malformed, InterruptedException {
        long count = 0;
        DiscoveredRequests.Builder part = DiscoveredRequests.newBuilder();
        int partBytes = 0;
        try (Lines lines = Lines.open(file)) {
            DiscoveredRequest request;
            while ((request = lines.next()) != null) {
                // As the part encodes it: with its field tag and length.
                int size = CodedOutputStream.computeMessageSize(DiscoveredRequests.REQUESTS_FIELD_NUMBER, request);
                if (part.getRequestsCount() > 0
                        && (part.getRequestsCount() >= PART_REQUESTS || partBytes + size > PART_BYTES)) {
                    sink.send(part.build());
                    part = DiscoveredRequests.newBuilder();
                    partBytes = 0;
                }
                part.addRequests(request);
                partBytes += size;
                count++;
            }
        }
        if (part.getRequestsCount() > 0) {
            sink.send(part.build());
        }
        return count;
    }

    /** The parsed request of one line's JSON. */
    static DiscoveredRequest parse(JsonNode line, long number) throws Malformed {
        if (!line.isObject()) {
            throw new Malformed(number, "not a JSON object");
        }
        String url = requiredText(line, "url", number);
        String fingerprint = requiredText(line, "fingerprint", number);
        byte[] fingerprintBytes;
        try {
            fingerprintBytes = HEX.parseHex(fingerprint);
        } catch (IllegalArgumentException notHex) {
            throw new Malformed(number, "\"fingerprint\" is not hex digits: " + notHex.getMessage());
        }
        String request = requiredText(line, "request", number);
        if (request.indexOf('\n') >= 0 || request.indexOf('\r') >= 0) {
            throw new Malformed(number, "\"request\" spans lines; a batch holds one request per line");
        }
        try {
            if (!JSON.readTree(request).isObject()) {
                throw new Malformed(number, "\"request\" is not a JSON object");
            }
        } catch (JsonProcessingException notJson) {
            throw new Malformed(number, "\"request\" is not a JSON object: " + notJson.getOriginalMessage());
        }
        int depth = optionalInt(line, "depth", 1, number);
        if (depth < 0) {
            throw new Malformed(number, "\"depth\" is negative");
        }
        return DiscoveredRequest.newBuilder()
                .setUrl(url)
                .setFingerprint(ByteString.copyFrom(fingerprintBytes))
                .setDontFilter(optionalBoolean(line, "dont_filter", number))
                .setPriority(optionalInt(line, "priority", 0, number))
                .setDepth(depth)
                .setReferrer(optionalText(line, "referrer", number))
                .setRequest(request)
                .build();
    }

    private static String requiredText(JsonNode line, String field, long number) throws Malformed {
        JsonNode value = line.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new Malformed(number, "\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode line, String field, long number) throws Malformed {
        JsonNode value = line.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new Malformed(number, "\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    private static boolean optionalBoolean(JsonNode line, String field, long number) throws Malformed {
        JsonNode value = line.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new Malformed(number, "\"" + field + "\" must be true or false");
        }
        return value.booleanValue();
    }

    private static int optionalInt(JsonNode line, String field, int fallback, long number) throws Malformed {
        JsonNode value = line.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new Malformed(number, "\"" + field + "\" must be a 32-bit integer");
        }
        return value.intValue();
    }

    /** The file's non-blank lines, each parsed; none for a file that does not exist. */
    private static final class Lines implements Closeable {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int position;
        private int limit;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long number;

        private Lines(InputStream in) {
            this.in = in;
        }

        static Lines open(Path file) throws IOException {
            try {
                return new Lines(Files.newInputStream(file));
            } catch (NoSuchFileException absent) {
                return new Lines(InputStream.nullInputStream());
            }
        }

        /** The next line's request, or null at the end of the file. */
        DiscoveredRequest next() throws IOException, Malformed {
            byte[] bytes;
            while ((bytes = nextLine()) != null) {
                if (isBlank(bytes)) {
                    continue;
                }
                JsonNode parsed;
                try {
                    parsed = JSON.readTree(bytes);
                } catch (JsonProcessingException notJson) {
                    throw new Malformed(number, "not JSON: " + notJson.getOriginalMessage());
                }
                return parse(parsed, number);
            }
            return null;
        }

        /**
         * The next line's bytes without its line feed, or null at the end of the file. Copied a buffer's run at a
         * time, not byte by byte: the agent runs without the optimising compiler, where a per-byte copy into a
         * (synchronized) ByteArrayOutputStream was most of the CPU it spent on a batch.
         */
        private byte[] nextLine() throws IOException, Malformed {
            line.reset();
            boolean any = false;
            while (true) {
                if (position == limit && !fill()) {
                    if (!any) {
                        return null;
                    }
                    number++;
                    return line.toByteArray();
                }
                any = true;
                int end = position;
                while (end < limit && buffer[end] != '\n') {
                    end++;
                }
                int run = end - position;
                if (line.size() + run > MAX_LINE_BYTES) {
                    throw new Malformed(number + 1, "longer than " + MAX_LINE_BYTES + " bytes");
                }
                line.write(buffer, position, run);
                if (end < limit) {
                    position = end + 1;
                    number++;
                    return line.toByteArray();
                }
                position = limit;
            }
        }

        /** Reads the next run of the file into the buffer; false at its end. */
        private boolean fill() throws IOException {
            int read = in.read(buffer, 0, buffer.length);
            position = 0;
            limit = Math.max(0, read);
            return limit > 0;
        }

        private static boolean isBlank(byte[] bytes) {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
