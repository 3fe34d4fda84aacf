package io.kubecrawl.operator.frontier;

/** A batch: its slot and its number within the slot. */
public record BatchId(int slot, int number) implements Comparable<BatchId> {

    @Override
    public int compareTo(BatchId other) {
        return slot != other.slot ? Integer.compare(slot, other.slot) : Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return slot + "/" + number;
    }
}
