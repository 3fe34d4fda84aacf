package io.kubecrawl.operator.frontier.discovered;

import java.util.ArrayList;
import java.util.List;

import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
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
        cache = keep(new LRUCache(cacheBytes));
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
        ColumnFamilyOptions options = keep(family.equals("queue") ? compactedOnDeletions() : new ColumnFamilyOptions())
                .setCompressionType(CompressionType.LZ4_COMPRESSION);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        switch (family) {
            case "seen" -> {
                // Millions of random fingerprints, looked up one by one and mostly absent: a Bloom filter answers
                // most lookups without reading a block, also in the memtable.
                table.setFilterPolicy(keep(new BloomFilter(10))).setOptimizeFiltersForMemory(true);
                options.setWriteBufferSize(16L << 20)
                        .setMemtablePrefixBloomSizeRatio(0.05)
                        .setMemtableWholeKeyFiltering(true);
            }
            case "queue" -> {
                // Read only by iteration from a slot's head, so no filter.
                options.setWriteBufferSize(16L << 20);
            }
            default -> {
                table.setFilterPolicy(keep(new BloomFilter(10)));
                options.setWriteBufferSize(4L << 20);
            }
        }
        return options.setTableFormatConfig(table);
    }

    /**
     * Column family options whose SST files are marked for compaction when they are mostly deletions. A queue is
     * consumed from its head: compacting such files early drops each request together with its tombstone. RocksJava
     * sets the collector only on {@link Options}, whose column family part is copied here.
     */
    private ColumnFamilyOptions compactedOnDeletions() {
        try (Options options = new Options()) {
            options.setTablePropertiesCollectorFactory(List.of(keep(
                    TablePropertiesCollectorFactory.NewCompactOnDeletionCollectorFactory(1024, 512, 0.5))));
            return new ColumnFamilyOptions(options);
        }
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
