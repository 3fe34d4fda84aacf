/**
 * The durable part of a job's frontier that the status cannot hold: the requests its spiders discover, their
 * deduplication set, and the batches cut from them. {@link io.kubecrawl.operator.frontier.discovered.DiscoveredRequestStore}
 * keeps them in one RocksDB database on the operator's volume, for every job; the status keeps the counters and the
 * store's commit sequence, checked against each other when a job's frontier is rebuilt.
 *
 * <p>RocksDB because the work is millions of random fingerprint inserts and lookups (an LSM tree writes them
 * sequentially; Bloom filters answer most lookups of new fingerprints without a read), because a completion and
 * everything it discovered must be committed atomically (one write batch, replayed whole or not at all from the
 * write-ahead log after a crash), and because its data and caches live off the Java heap in a bounded cache, so the
 * operator's heap does not grow with the crawl.
 *
 * <p>Seed batches stay derived from the seed list (see {@link io.kubecrawl.operator.frontier.FrontierLayout}); this
 * package only records their completions, so that a completion sent again after a restart adds nothing twice.
 */
package io.kubecrawl.operator.frontier.discovered;
