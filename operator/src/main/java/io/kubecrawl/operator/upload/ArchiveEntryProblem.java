package io.kubecrawl.operator.upload;

/**
 * Why one entry of an uploaded archive is refused, for the user who must fix the archive: the entry's name as the
 * archive spells it, and the reason.
 */
public record ArchiveEntryProblem(String entry, String reason) {

    /** Longest part of an entry name quoted in a message: a name may be kilobytes long. */
    static final int QUOTED_LENGTH = 300;

    /** For example {@code entry 'a/../../b' is refused: the path climbs out of the bundle with '..'}. */
    public String message() {
        return "entry '" + printable(entry) + "' is refused: " + reason;
    }

    /**
     * The name as it can be shown in a one-line text response and in logs: control characters (a newline could
     * forge a line) are escaped and an overlong name is cut.
     */
    static String printable(String name) {
        StringBuilder text = new StringBuilder();
        name.codePoints().limit(QUOTED_LENGTH).forEach(c -> {
            if (Character.isISOControl(c)) {
                text.append(String.format("\\u%04x", c));
            } else {
                text.appendCodePoint(c);
            }
        });
        if (name.codePointCount(0, name.length()) > QUOTED_LENGTH) {
            text.append("...");
        }
        return text.toString();
    }
}
