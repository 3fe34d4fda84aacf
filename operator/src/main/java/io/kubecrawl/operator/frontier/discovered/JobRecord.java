package io.kubecrawl.operator.frontier.discovered;

import java.nio.ByteBuffer;

/**
 * The durable state of one job besides its entries: its counters and commit sequence, the next arrival number (which
 * orders requests of equal priority) and the next batch number. One value, rewritten in every write batch that changes
 * any of them, so that the counters can never disagree with the entries they count.
 */
record JobRecord(DiscoveredCounts counts, long nextArrival, int nextBatchNumber) {

    static final JobRecord NEW = new JobRecord(DiscoveredCounts.NONE, 0, DiscoveredRequestStore.FIRST_DISCOVERED_BATCH);
    private static final byte FORMAT = 1;
    private static final int SIZE = 1 + Long.BYTES * 8 + Integer.BYTES;

    /** The same record after a change that touched no counter (seen marks): only the commit sequence moves. */
    JobRecord sequenced() {
        return new JobRecord(new DiscoveredCounts(counts.discovered(), counts.duplicatesDropped(),
                counts.outOfScope(), counts.queued(), counts.leased(), counts.done(), counts.commitSequence() + 1),
                nextArrival, nextBatchNumber);
    }

    byte[] encode() {
        return ByteBuffer.allocate(SIZE).put(FORMAT).putLong(counts.discovered()).putLong(counts.duplicatesDropped())
                .putLong(counts.outOfScope()).putLong(counts.queued()).putLong(counts.leased()).putLong(counts.done())
                .putLong(counts.commitSequence()).putLong(nextArrival).putInt(nextBatchNumber).array();
    }

    static JobRecord decode(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        byte format = in.get();
        if (format != FORMAT || value.length != SIZE) {
            throw new IllegalStateException("a job record of format " + format + " and " + value.length
                    + " bytes; this operator reads format " + FORMAT);
        }
        return new JobRecord(new DiscoveredCounts(in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                in.getLong(), in.getLong(), in.getLong()), in.getLong(), in.getInt());
    }
}
