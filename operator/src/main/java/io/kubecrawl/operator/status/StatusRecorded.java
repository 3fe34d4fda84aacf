package io.kubecrawl.operator.status;

import io.fabric8.kubernetes.client.CustomResource;

/**
 * A reconcile handed its resource's status to {@link StatusRecorder}: the last step of every successful reconcile,
 * whether or not anything was written. Fired synchronously, on the reconciler's thread, as a CDI event.
 *
 * @param resource the resource as the reconcile read it
 * @param status the status the reconcile decided on
 * @param outcome {@code written}, {@code unchanged}, or {@code gone} (deleted before the write)
 */
public record StatusRecorded(CustomResource<?, ?> resource, Object status, String outcome) {
}
