package io.kubecrawl.worker.run;

import java.io.PrintWriter;

import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.worker.OneLine;

/** The agent's own messages: one line each on its stderr (the container log) and, tagged AGENT, to the operator. */
public final class AgentLog {
    private final PrintWriter err;
    private final String prefix;
    private final LogShipper shipper;

    /** @param prefix what starts every line on stderr, such as {@code "kubecrawl-worker run: "} */
    public AgentLog(PrintWriter err, String prefix, LogShipper shipper) {
        this.err = err;
        this.prefix = prefix;
        this.shipper = shipper;
    }

    /** A message about the batch, or about the agent when {@code batch} is null. */
    public void info(BatchRef batch, String message) {
        String line = OneLine.of(message);
        err.println(prefix + line);
        err.flush();
        shipper.add(LogLine.Source.AGENT, batch, line);
    }

    /** To the operator only: for a line the agent prints itself later (the reason it exits, printed last). */
    public void ship(BatchRef batch, String message) {
        shipper.add(LogLine.Source.AGENT, batch, OneLine.of(message));
    }

    /** On stderr only: for trouble with the log stream itself. */
    public void local(String message) {
        err.println(prefix + OneLine.of(message));
        err.flush();
    }
}
