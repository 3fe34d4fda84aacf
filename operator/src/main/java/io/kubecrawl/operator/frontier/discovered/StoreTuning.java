package io.kubecrawl.operator.frontier.discovered;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.TablePropertiesCollectorFactory;
import org.rocksdb.WriteBufferManager;

/**
 * The RocksDB options of the store, and the native objects behind them, which must outlive the database and be
 * closed after it.
 *
 * <p>Memory: one LRU block cache for every column family holds data blocks, index and filter blocks
 * ({@code cache_index_and_filter_blocks}), and is charged with the memtables too (a write buffer manager of half its
 * size, accounted in the cache): the store's off-heap memory stays near the cache's size however many requests and
 * jobs it holds. Nothing of the data is on the Java heap.
 */
final class StoreTuning implements AutoCloseable {

    /** Names of the column families, in the order {@link #descriptors()} lists them. */
    static final List<String> FAMILIES = List.of("default", "jobs", "meta", "seen", "queue", "batches", "completed");

    private final List<AbstractNativeReference> natives = new ArrayList<>();
    private final LRUCache cache;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();

    StoreTuning(long cacheBytes) {
        RocksDB.loadLibrary();
        // Half the cache is a high-priority pool, where index and filter blocks go
        // (setCacheIndexAndFilterBlocksWithHighPriority below): data blocks of queues being read, and the memtables the
        // write buffer manager charges to the cache, then cannot push the deduplication set's filters out. Measured
        // (benchmarks/frontier, 10 M requests): with filters evicted, every commit's multi-get read whole filter
        // blocks again, and the add rate fell from 42,000 to 8,000 requests/s as the set grew, the commit thread
        // spending its time in multiGet while compactions stayed idle (no write stall at all).
        cache = keep(new LRUCache(cacheBytes, -1, false, 0.5));
        WriteBufferManager memtables = keep(new WriteBufferManager(cacheBytes / 2, cache));
        dbOptions = keep(new DBOptions())
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setWriteBufferManager(memtables)
                .setMaxBackgroundJobs(2)
                // A column family written rarely (jobs) would otherwise keep every WAL file alive until its own
                // memtable fills: past this size RocksDB flushes the families that hold the oldest WAL.
                .setMaxTotalWalSize(64L << 20)
                // Write back SST files as they are written, not in one burst at the end.
                .setBytesPerSync(1L << 20)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2);
        for (String family : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(family.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    options(family)));
        }
    }

    DBOptions dbOptions() {
        return dbOptions;
    }

    List<ColumnFamilyDescriptor> descriptors() {
        return descriptors;
    }

    private ColumnFamilyOptions options(String family) {
        ColumnFamilyOptions options = keep(switch (family) {
            case "queue" -> compactedOnDeletions(hinted(StoreKeys.QUEUE_RUN_BYTES));
            // Every commit rewrites the count of each slot it queued in, slot after slot: each new version goes just
            // before the key's previous one, which a hint per slot-count key finds without searching.
            case "meta" -> hinted(StoreKeys.SLOT_COUNT_BYTES);
            default -> new ColumnFamilyOptions();
        }).setCompressionType(CompressionType.LZ4_COMPRESSION);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                // Partitioned index and filters: a file's filter (about 1.2 MB per million fingerprints at 10 bits a
                // key) and index are cut into blocks of metadataBlockSize behind a small top-level index, which
                // stays pinned. A lookup then loads one small partition, not a whole filter, when the cache has
                // evicted it: the cache's size, not the set's, bounds the memory, and a miss costs a 4 KiB read.
                .setIndexType(IndexType.kTwoLevelIndexSearch)
                .setPartitionFilters(true)
                .setMetadataBlockSize(4096)
                .setPinTopLevelIndexAndFilter(true);
        // Up to 4 memtables a family, so that a write goes on into a new memtable while up to 3 full ones wait for the
        // one flush thread (max_background_jobs 2 on a 2-core machine: one flush, one compaction). With 2, writes
        // stopped whenever one flush was still running when the next memtable filled ("Stopping writes because we
        // have 2 immutable memtables" in the LOG, on seen and on meta, at 10 M requests). The write buffer manager
        // still caps the memtables' memory as a whole (half the cache): more memtables do not mean more memory.
        options.setMaxWriteBufferNumber(4);
        switch (family) {
            case "seen" -> {
                // Millions of random fingerprints, looked up one by one and mostly absent: a Bloom filter answers
                // most lookups without reading a block, also in the memtable.
                // Partitioned, although each key then costs a search of the partition index and a cache lookup (a
                // quarter of the commit thread's samples at 10 M requests): with one filter per file, tried on
                // 2026-12-06, the add rate fell from 207,529 requests per CPU second at 1 M to 45,512 over 10 M, whole
                // filters being evicted and read again.
                table.setFilterPolicy(keep(new BloomFilter(10))).setOptimizeFiltersForMemory(true);
                options.setWriteBufferSize(16L << 20)
                        .setMemtablePrefixBloomSizeRatio(0.05)
                        .setMemtableWholeKeyFiltering(true)
                        // SHA-1 fingerprints are random bytes, which LZ4 cannot shrink: compressing them only cost
                        // the flush and every compaction CPU time.
                        .setCompressionType(CompressionType.NO_COMPRESSION);
            }
            case "queue" -> {
                // Read only by iteration from a slot's head, so no filter.
                options.setWriteBufferSize(16L << 20);
            }
            case "meta" -> {
                // The job record and the slot counts, overwritten by every commit: a larger memtable absorbs more
                // overwrites of the same few keys before a flush writes them out.
                table.setFilterPolicy(keep(new BloomFilter(10)));
                options.setWriteBufferSize(8L << 20);
            }
            default -> {
                table.setFilterPolicy(keep(new BloomFilter(10)));
                options.setWriteBufferSize(4L << 20);
            }
        }
        return options.setTableFormatConfig(table);
    }

    /**
     * {@code base} (closed here) with SST files marked for compaction when they are mostly deletions. A queue is
     * consumed from its head: compacting such files early drops each request together with its tombstone. RocksJava
     * sets the collector only on {@link Options}, whose column family part is copied here.
     */
    private ColumnFamilyOptions compactedOnDeletions(ColumnFamilyOptions base) {
        try (base; DBOptions db = new DBOptions(); Options options = new Options(db, base)) {
            options.setTablePropertiesCollectorFactory(List.of(keep(
                    TablePropertiesCollectorFactory.NewCompactOnDeletionCollectorFactory(1024, 512, 0.5))));
            return new ColumnFamilyOptions(options);
        }
    }

    /**
     * Column family options whose memtable keeps an insert hint per key prefix of {@code prefixBytes}: an insert
     * starts its search of the skip list where the last insert of the same prefix went. Without hints each insert
     * starts from the previous insert of any prefix, and a completion writes to many prefixes at once (the queue: a
     * run per slot and priority; meta: a count per slot), so nearly every insert searched the skip list from the top:
     * InlineSkipList::RecomputeSpliceLevels was the commit thread's hottest function (13 % of the process's samples
     * at 2 M requests). Shorter keys are inserted as before. RocksJava has no setter for this option; RocksDB's
     * options parser has.
     */
    private static ColumnFamilyOptions hinted(int prefixBytes) {
        Properties hint = new Properties();
        hint.setProperty("memtable_insert_with_hint_prefix_extractor", "rocksdb.FixedPrefix." + prefixBytes);
        return requireParsed(ColumnFamilyOptions.getColumnFamilyOptionsFromProps(hint));
    }

    private static ColumnFamilyOptions requireParsed(ColumnFamilyOptions options) {
        if (options == null) {
            throw new IllegalStateException("RocksDB did not accept the insert hint option");
        }
        return options;
    }

    private <T extends AbstractNativeReference> T keep(T object) {
        natives.add(object);
        return object;
    }

    @Override
    public void close() {
        for (int i = natives.size() - 1; i >= 0; i--) {
            natives.get(i).close();
        }
    }
}
