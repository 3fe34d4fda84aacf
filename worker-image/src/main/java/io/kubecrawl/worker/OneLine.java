package io.kubecrawl.worker;

import java.util.regex.Pattern;

/**
 * A message on one line: line breaks (and the blanks around them) become one space. The agent's messages end up in a
 * container log, where a wrapped line would read as two, and as the pod's termination message, which is one line.
 */
public final class OneLine {
    private static final Pattern LINE_BREAK = Pattern.compile("\\s*\\R\\s*");

    private OneLine() {
    }

    /** {@code message} stripped and on one line; "null" for null. */
    public static String of(String message) {
        return LINE_BREAK.matcher(String.valueOf(message).strip()).replaceAll(" ");
    }
}
