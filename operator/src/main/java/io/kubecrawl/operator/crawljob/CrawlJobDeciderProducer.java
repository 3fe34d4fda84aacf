package io.kubecrawl.operator.crawljob;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.kubecrawl.operator.config.OperatorSettings;

/** Builds the decider from the operator's settings; the decider itself stays a plain class for unit tests. */
public class CrawlJobDeciderProducer {

    @Produces
    @ApplicationScoped
    CrawlJobDecider crawlJobDecider(OperatorSettings settings) {
        return new CrawlJobDecider(new WorkerJobFactory(settings.worker().image(), settings.operator().grpcAddress(),
                settings.worker().backoffLimit(),
                settings.grpc().plaintext() ? WorkerTransport.PLAINTEXT : WorkerTransport.TLS),
                settings.frontier().retryAfter());
    }
}
