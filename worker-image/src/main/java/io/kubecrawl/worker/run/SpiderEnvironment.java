package io.kubecrawl.worker.run;

import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.WorkerEnvironment;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.worker.ConnectionOptions;
import io.kubecrawl.worker.TokenSource;

/**
 * The environment of one spider run: the agent's own, plus the variables that name the job, the batch and its files,
 * plus, for a Scrapy spider, the switch that makes an unmodified Scrapy project read the batch and write the items
 * (see the Python package {@code kubecrawl_scrapy}).
 */
public final class SpiderEnvironment {
    public static final String BATCH_ENV = "KUBECRAWL_BATCH";
    public static final String BATCH_ATTEMPT_ENV = "KUBECRAWL_BATCH_ATTEMPT";
    public static final String BATCH_FILE_ENV = "KUBECRAWL_BATCH_FILE";
    public static final String ITEMS_FILE_ENV = "KUBECRAWL_ITEMS_FILE";
    /**
     * Frontier mode ({@link DiscoveryMode#ENV}, which the spider gets as well): the file the spider writes the requests
     * it discovered to, one JSON object per line (see {@link DiscoveredRequestsFile}); not created by the agent.
     */
    public static final String DISCOVERED_FILE_ENV = "KUBECRAWL_DISCOVERED_FILE";
    /**
     * The agent's Unix socket for this process: a spider that connects serves batch after batch (see
     * {@link SpiderSession}); set by the session, since it exists only once the agent listens.
     */
    public static final String AGENT_SOCKET_ENV = "KUBECRAWL_AGENT_SOCKET";
    public static final String PYTHONPATH_ENV = "PYTHONPATH";
    public static final String SCRAPY_SETTINGS_MODULE_ENV = "SCRAPY_SETTINGS_MODULE";
    /** The helper's settings module, which wraps the project's own. */
    public static final String HELPER_SETTINGS_MODULE = "kubecrawl_scrapy.settings";
    /**
     * Where a settings module the pod had already chosen (SCRAPY_SETTINGS_MODULE) goes, so that the helper wraps it
     * rather than the one scrapy.cfg names.
     */
    public static final String PROJECT_SETTINGS_MODULE_ENV = "KUBECRAWL_SCRAPY_PROJECT_SETTINGS";

    private SpiderEnvironment() {
    }

    /**
     * @param inherited the agent's own environment
     * @param settings the run's settings: the job and worker, whether the spider is Scrapy and where the helper is
     * @param batch the batch the spider runs on
     * @param requestsFile the file holding the batch's requests, one per line
     * @param itemsFile the (empty) file the spider writes its items to, as JSON lines
     * @param discoveredFile the file the spider writes its discovered requests to; ignored unless the settings send
     *     them to the frontier
     */
    public static Map<String, String> of(Map<String, String> inherited, RunSettings settings, Batch batch,
            Path requestsFile, Path itemsFile, Path discoveredFile) {
        Map<String, String> environment = new HashMap<>(inherited);
        // The worker token opens the job's frontier; the spider has no use for it, so it does not get it.
        environment.remove(WorkerEnvironment.TOKEN);
        // Only the session names a socket, and only one it listens on.
        environment.remove(AGENT_SOCKET_ENV);
        environment.put(WorkerEnvironment.NAMESPACE, settings.connection().namespace());
        environment.put(WorkerEnvironment.JOB, settings.connection().job());
        environment.put(WorkerEnvironment.WORKER, settings.worker());
        environment.put(BATCH_ENV, BatchNames.name(batch.getRef()));
        environment.put(BATCH_ATTEMPT_ENV, Integer.toString(batch.getAttempt()));
        environment.put(BATCH_FILE_ENV, requestsFile.toAbsolutePath().toString());
        environment.put(ITEMS_FILE_ENV, itemsFile.toAbsolutePath().toString());
        // The mode the agent settled on, whatever the pod said: the spider and the agent must agree on it.
        environment.put(DiscoveryMode.ENV, settings.discovered().value());
        // The agent's value, whatever the container's was: 0 says "the spider's own delay" as plainly as unset would.
        environment.put(WorkerEnvironment.MIN_HOST_DELAY_MILLIS, Long.toString(settings.minHostDelay().toMillis()));
        if (settings.discoversForFrontier()) {
            environment.put(DISCOVERED_FILE_ENV, discoveredFile.toAbsolutePath().toString());
        } else {
            environment.remove(DISCOVERED_FILE_ENV);
        }
        if (settings.scrapy()) {
            String pythonPath = settings.pythonPath().toAbsolutePath().toString();
            String existing = inherited.get(PYTHONPATH_ENV);
            environment.put(PYTHONPATH_ENV, existing == null || existing.isEmpty() ? pythonPath
                    : pythonPath + File.pathSeparator + existing);
            String chosen = inherited.get(SCRAPY_SETTINGS_MODULE_ENV);
            if (chosen != null && !chosen.isBlank() && !chosen.equals(HELPER_SETTINGS_MODULE)) {
                environment.put(PROJECT_SETTINGS_MODULE_ENV, chosen.strip());
            }
            environment.put(SCRAPY_SETTINGS_MODULE_ENV, HELPER_SETTINGS_MODULE);
        }
        return environment;
    }
}
