package io.kubecrawl.operator.frontier.discovered;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.protocol.v1.DiscoveredRequest;

/**
 * A batch of discovered requests cut from a slot's queue: stored until its completion is committed, so that a batch
 * leased when the operator stopped is leased again after it starts.
 *
 * @param id the batch's slot and number; numbers start at {@link DiscoveredRequestStore#FIRST_DISCOVERED_BATCH}
 * @param requests the batch's requests in queue order, exactly as the worker sent them
 */
public record DiscoveredBatch(BatchId id, List<DiscoveredRequest> requests) {

    private static final byte FORMAT = 1;

    public DiscoveredBatch {
        requests = List.copyOf(requests);
    }

    /** Whether a batch number belongs to discovered batches rather than to a seed layout's. */
    public static boolean isDiscovered(BatchId id) {
        return id.number() >= DiscoveredRequestStore.FIRST_DISCOVERED_BATCH;
    }

    /**
     * The stored form: format, slot, count, then each request's protobuf encoding after its length. The requests are
     * copied from the queue as stored, without decoding them.
     */
    static byte[] encode(int slot, List<byte[]> requests) {
        int size = 1 + Integer.BYTES * 2;
        for (byte[] request : requests) {
            size += Integer.BYTES + request.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(FORMAT).putInt(slot).putInt(requests.size());
        for (byte[] request : requests) {
            out.putInt(request.length).put(request);
        }
        return out.array();
    }

    static int slotOf(byte[] value) {
        return header(value).getInt();
    }

    static int sizeOf(byte[] value) {
        ByteBuffer in = header(value);
        in.getInt();
        return in.getInt();
    }

    static DiscoveredBatch decode(int number, byte[] value) {
        ByteBuffer in = header(value);
        int slot = in.getInt();
        int count = in.getInt();
        List<DiscoveredRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.getInt();
            try {
                requests.add(DiscoveredRequest.parseFrom(ByteBuffer.wrap(value, in.position(), length)));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("stored batch " + slot + "/" + number + " is damaged", e);
            }
            in.position(in.position() + length);
        }
        return new DiscoveredBatch(new BatchId(slot, number), requests);
    }

    private static ByteBuffer header(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalStateException("a stored batch of format " + format + "; this operator reads format "
                    + FORMAT);
        }
        return in;
    }
}
