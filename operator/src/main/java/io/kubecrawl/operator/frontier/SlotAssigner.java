package io.kubecrawl.operator.frontier;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Puts a request in a slot. The hash is SHA-256 rather than {@code String.hashCode} so that the assignment is the
 * same on every JVM and every operator version: a restarted operator must rebuild exactly the same batches.
 */
public final class SlotAssigner {

    private final Partitioning partitioning;
    private final int slots;
    /** A seed list has many URLs on few hosts: each host is hashed once. Not thread-safe, as the layout builds it. */
    private final Map<String, Integer> hostBuckets = new HashMap<>();

    public SlotAssigner(Partitioning partitioning, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        this.partitioning = partitioning;
        this.slots = partitioning == Partitioning.None ? 1 : slots;
    }

    public int slots() {
        return slots;
    }

    public int slotOf(SeedRequest request) {
        return switch (partitioning) {
            case None -> 0;
            case Host -> hostBuckets.computeIfAbsent((request.host() != null ? request.host()
                    : URI.create(request.url()).getHost()).toLowerCase(Locale.ROOT), this::bucket);
            case Url -> bucket(request.url());
        };
    }

    private int bucket(String key) {
        byte[] digest = Sha256.newDigest().digest(key.getBytes(StandardCharsets.UTF_8));
        return (int) Math.floorMod(ByteBuffer.wrap(digest).getLong(), (long) slots);
    }
}
