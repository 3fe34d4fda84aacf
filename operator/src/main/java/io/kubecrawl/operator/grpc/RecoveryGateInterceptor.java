package io.kubecrawl.operator.grpc;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.kubecrawl.operator.recovery.RecoveryGate;

/**
 * Refuses every call with UNAVAILABLE, which workers retry, while the operator is recovering after its start (see
 * {@link RecoveryGate}). The call is closed before any of its messages is read: nothing is queued or held, however
 * many workers call. Runs before {@link WorkerAuthInterceptor} (higher priority runs first), since worker tokens are
 * not all known before recovery either.
 *
 * <p>The order comes from {@link Prioritized}, which quarkus-grpc reads from the instance (an {@code @Priority} on
 * the class is not seen through the client proxy): interceptors are sorted by priority and the last is called first,
 * and WorkerAuthInterceptor has the default, 0.
 */
@ApplicationScoped
public class RecoveryGateInterceptor implements ServerInterceptor, Prioritized {

    private static final int PRIORITY = 100;

    private final RecoveryGate gate;

    public RecoveryGateInterceptor(RecoveryGate gate) {
        this.gate = gate;
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (gate.isOpen()) {
            return next.startCall(call, headers);
        }
        call.close(Status.UNAVAILABLE.withDescription(gate.refusal()), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
