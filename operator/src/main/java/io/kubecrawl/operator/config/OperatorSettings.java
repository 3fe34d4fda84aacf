package io.kubecrawl.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/** Settings of the operator; each one is also an environment variable (kubecrawl.worker.image = KUBECRAWL_WORKER_IMAGE). */
@ConfigMapping(prefix = "kubecrawl")
public interface OperatorSettings {

    Worker worker();

    Operator operator();

    /** Where bundles, items and logs live: the operator's persistent volume. */
    String dataDir();

    Upload upload();

    interface Worker {
        /** Image of the init container that syncs the bundle; it carries the kubecrawl-worker agent. */
        String image();

        /** Pod failures a worker Job tolerates before it fails. */
        int backoffLimit();
    }

    interface Operator {
        /** host:port of the operator's gRPC endpoint as worker pods reach it (the chart's Service). */
        @WithName("grpc-address")
        String grpcAddress();
    }

    interface Upload {
        /** Largest spider archive accepted by the upload API, in bytes. */
        long maxBytes();
    }
}
