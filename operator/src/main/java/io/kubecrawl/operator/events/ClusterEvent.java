package io.kubecrawl.operator.events;

/** An Event to emit on a resource: Normal for progress, Warning for what a user must act on. */
public record ClusterEvent(Type type, String reason, String message) {

    public enum Type {
        Normal,
        Warning
    }

    public static ClusterEvent normal(String reason, String message) {
        return new ClusterEvent(Type.Normal, reason, message);
    }

    public static ClusterEvent warning(String reason, String message) {
        return new ClusterEvent(Type.Warning, reason, message);
    }
}
