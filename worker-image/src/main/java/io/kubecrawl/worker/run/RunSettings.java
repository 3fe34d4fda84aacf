package io.kubecrawl.worker.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.worker.Connection;

/**
 * Everything {@code kubecrawl-worker run} needs, validated.
 *
 * @param connection the operator, the job, this worker and its token
 * @param workdir the directory the spider runs in (the synced bundle)
 * @param spiderCommand the command that runs the spider on one batch
 * @param scratch the directory of the batch and items files; never the workspace, which mirrors the bundle
 * @param scrapy whether the spider is a Scrapy project run through the Kubecrawl Scrapy helper
 * @param pythonPath the directory holding the helper's package {@code kubecrawl_scrapy}
 * @param maxWait how long the agent keeps retrying an operator that does not answer before it gives up
 * @param retryDelay the first backoff delay of a retried call; each further one doubles, with jitter
 * @param retryMaxDelay the longest backoff delay
 * @param stopGrace how long a stopped spider has between SIGTERM and SIGKILL
 * @param callTimeout the deadline of one unary call (Lease, Renew, FailBatch)
 * @param logFlushInterval how long log lines may wait to be sent together
 * @param logCloseTimeout how long an exiting agent tries to deliver its last log lines
 * @param discovered where the requests the spider yields go: to the frontier with the batch's items, or nowhere but
 *     the spider's own process
 * @param minHostDelay the least time between the starts of two requests of the spider to one host, passed to it as
 *     {@code KUBECRAWL_MIN_HOST_DELAY_MILLIS}; zero leaves the spider's own setting
 */
public record RunSettings(Connection connection, Path workdir, List<String> spiderCommand, Path scratch,
        boolean scrapy, Path pythonPath, Duration maxWait, Duration retryDelay, Duration retryMaxDelay,
        Duration stopGrace, Duration callTimeout, Duration logFlushInterval, Duration logCloseTimeout,
        DiscoveryMode discovered, Duration minHostDelay) {

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

    public RunSettings {
        spiderCommand = List.copyOf(spiderCommand);
        if (spiderCommand.isEmpty()) {
            throw new IllegalArgumentException("the spider command is empty");
        }
        Objects.requireNonNull(discovered, "discovered");
        if (minHostDelay.isNegative()) {
            throw new IllegalArgumentException("the minimum host delay is negative: " + minHostDelay);
        }
    }

    /** Settings without a minimum host delay: the spider's own download delay applies. */
    public RunSettings(Connection connection, Path workdir, List<String> spiderCommand, Path scratch, boolean scrapy,
            Path pythonPath, Duration maxWait, Duration retryDelay, Duration retryMaxDelay, Duration stopGrace,
            Duration callTimeout, Duration logFlushInterval, Duration logCloseTimeout, DiscoveryMode discovered) {
        this(connection, workdir, spiderCommand, scratch, scrapy, pythonPath, maxWait, retryDelay, retryMaxDelay,
                stopGrace, callTimeout, logFlushInterval, logCloseTimeout, discovered, Duration.ZERO);
    }

    /** Whether the spider's discovered requests go to the frontier: the agent names a file for them and sends it. */
    public boolean discoversForFrontier() {
        return discovered == DiscoveryMode.FRONTIER;
    }

    /** The worker's name, which every request to the frontier carries. */
    public String worker() {
        return connection.worker();
    }

    /** Auto mode of {@code --scrapy}: the command's first word is a program named {@code scrapy}. */
    public static boolean looksLikeScrapy(List<String> spiderCommand) {
        if (spiderCommand.isEmpty()) {
            return false;
        }
        Path program = Path.of(spiderCommand.get(0)).getFileName();
        return program != null && program.toString().equals("scrapy");
    }
}
