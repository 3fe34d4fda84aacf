package io.kubecrawl.protocol;

import java.util.Locale;

/**
 * Where the requests a spider yields go, part of the worker contract: the operator sets {@link #ENV} in the worker
 * pod, the agent reads it (option {@code --discovered}) and passes it on to the spider, and the Scrapy helper reads it
 * there (Python: {@code kubecrawl_scrapy.DISCOVERED_ENV}). The name is defined here once, so that operator and agent
 * cannot disagree on it.
 *
 * <ul>
 * <li>{@link #FRONTIER}: a request the spider yields goes to the job's frontier, as a {@code DiscoveredRequest} of the
 * batch's {@code CompleteBatch}; the operator deduplicates it and leases it in a later batch, possibly to another
 * worker. Only what the spider marks to keep ({@code meta["kubecrawl_local"] = True}) is fetched in its process.</li>
 * <li>{@link #LOCAL}: every request the spider yields stays in its process and is part of the batch, as before
 * discovered requests existed. The mode when the variable is unset or empty: an operator that does not set it does
 * not store discovered requests either.</li>
 * </ul>
 */
public enum DiscoveryMode {
    FRONTIER("Frontier"),
    LOCAL("Local");

    /** The environment variable that names the mode, in the worker pod and in the spider's environment. */
    public static final String ENV = "KUBECRAWL_DISCOVERED";
    /** The mode of a worker whose pod does not set {@link #ENV}. */
    public static final DiscoveryMode DEFAULT = LOCAL;

    private final String value;

    DiscoveryMode(String value) {
        this.value = value;
    }

    /** The value as the environment variable carries it: {@code Frontier} or {@code Local}. */
    public String value() {
        return value;
    }

    /**
     * The mode a value names, ignoring case and surrounding blanks; {@link #DEFAULT} for null or blank.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static DiscoveryMode parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        for (DiscoveryMode mode : values()) {
            if (mode.value.toLowerCase(Locale.ROOT).equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("expected " + FRONTIER.value + " or " + LOCAL.value + ", not '"
                + text.strip() + "'");
    }

    @Override
    public String toString() {
        return value;
    }
}
