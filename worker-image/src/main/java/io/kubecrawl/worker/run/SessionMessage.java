package io.kubecrawl.worker.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of the session protocol between the agent and a long-lived spider process, as a JSON object on one line
 * of the agent's Unix socket ({@code KUBECRAWL_AGENT_SOCKET}). The agent sends {@code batch} (the next batch's files)
 * and {@code finish}; the spider sends {@code accepts} (how many batches it runs at once), {@code done} (the batch's
 * items are written and their file closed) or {@code failed} (this batch could not run; the process carries on). See
 * docs/worker-environment.md.
 *
 * @param type one of {@link #BATCH}, {@link #FINISH}, {@link #ACCEPTS}, {@link #DONE}, {@link #FAILED}
 * @param batch the batch, {@code <slot>/<number>}; absent in {@code finish}
 * @param attempt the attempt at the batch; absent in {@code finish}
 * @param requestsFile in {@code batch}: the batch's requests file
 * @param itemsFile in {@code batch}: the file the batch's items go to
 * @param discoveredFile in {@code batch}, Frontier mode only: the file the batch's discovered requests go to
 * @param error in {@code failed}: why
 * @param batches in {@code accepts}: how many batches the spider runs at once
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record SessionMessage(String type, String batch, Integer attempt,
        @JsonProperty("requests_file") String requestsFile, @JsonProperty("items_file") String itemsFile,
        @JsonProperty("discovered_file") String discoveredFile, String error, Integer batches) {

    static final String BATCH = "batch";
    static final String FINISH = "finish";
    static final String DONE = "done";
    static final String FAILED = "failed";
    static final String ACCEPTS = "accepts";

    /** @param discoveredFile null unless the batch's discovered requests go to the frontier */
    static SessionMessage batch(String batch, int attempt, String requestsFile, String itemsFile,
            String discoveredFile) {
        return new SessionMessage(BATCH, batch, attempt, requestsFile, itemsFile, discoveredFile, null, null);
    }

    static SessionMessage finish() {
        return new SessionMessage(FINISH, null, null, null, null, null, null, null);
    }
}
