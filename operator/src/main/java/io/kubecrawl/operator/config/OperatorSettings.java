package io.kubecrawl.operator.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Settings of the operator; each one is also an environment variable (kubecrawl.worker.image = KUBECRAWL_WORKER_IMAGE). */
@ConfigMapping(prefix = "kubecrawl")
public interface OperatorSettings {

    Worker worker();

    Operator operator();

    /** Where bundles, items and logs live: the operator's persistent volume. */
    String dataDir();

    Upload upload();

    Bundles bundles();

    Outputs outputs();

    Frontier frontier();

    Recovery recovery();

    Test test();

    interface Recovery {
        /**
         * The longest the operator waits, once it has listed the CrawlJobs after its start, for every unfinished one to
         * be reconciled once before
         * it serves workers anyway: a job not recovered by then (its reconciles keep failing) is counted as timed
         * out, and its workers are told to come back until a reconcile of it succeeds.
         */
        @WithDefault("5m")
        Duration timeout();
    }

    /** Settings for tests only: the chart never sets them. */
    interface Test {
        /** Kill points to halt the operator at, once each (see io.kubecrawl.operator.faults.KillPoints). */
        Optional<String> killPoints();
    }

    interface Frontier {
        /**
         * How often a running job's frontier progress is written to its status (at most): the API server's write
         * load grows with the number of jobs, never with the number of workers or batches.
         */
        @WithDefault("5s")
        Duration checkpointInterval();

        /** How long a worker with nothing to do waits before asking for a batch again. */
        @WithDefault("2s")
        Duration retryAfter();
    }

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

    interface Bundles {
        /** How often unpinned bundles are collected from the data directory (also the delay after start). */
        @WithDefault("10m")
        Duration gcInterval();

        /**
         * How old an unpinned manifest, blob or temporary file must be before it is collected: protects what is
         * being written right now and not pinned yet.
         */
        @WithDefault("1h")
        Duration gcGrace();
    }

    interface Outputs {
        /** How often the items and logs of deleted CrawlJobs are collected (also the delay after start). */
        @WithDefault("10m")
        Duration gcInterval();

        /**
         * How long after its last write a deleted CrawlJob's items and logs are kept: a job created a moment ago may
         * not be listed yet, and a deleted job's last workers may still report.
         */
        @WithDefault("1h")
        Duration gcGrace();
    }

    interface Upload {
        /** Largest spider archive accepted by the upload API, in bytes. */
        long maxBytes();

        /**
         * Most entries (files, directories, anything) an uploaded archive may hold: bounds the memory an upload's
         * manifest takes and the files it writes.
         */
        @WithDefault("100000")
        int maxEntries();

        /**
         * Most bytes the files of an uploaded archive may add up to once unpacked: a small archive of zeros unpacks
         * to terabytes.
         */
        @WithDefault("4294967296")
        long maxUnpackedBytes();

        /**
         * Most bytes the content of an uploaded archive may unpack to per compressed byte: for each zip entry against
         * its compressed bytes, and for the whole archive against the bytes received. Zeros deflate a thousandfold, so
         * below the unpacked limit a 2 MiB zip still unpacks to 2 GiB; source code compresses less than tenfold.
         */
        @WithDefault("200")
        int maxCompressionRatio();
    }
}
