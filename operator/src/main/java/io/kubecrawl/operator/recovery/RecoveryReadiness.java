package io.kubecrawl.operator.recovery;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the {@link RecoveryGate} opens, so that the Service sends workers and uploads elsewhere (or nowhere)
 * while the operator would refuse them anyway. Liveness is not affected: a long recovery is not a reason to restart.
 */
@Readiness
@ApplicationScoped
public class RecoveryReadiness implements HealthCheck {

    static final String NAME = "kubecrawl-recovery";

    private final RecoveryGate gate;

    public RecoveryReadiness(RecoveryGate gate) {
        this.gate = gate;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).status(gate.isOpen())
                .withData("waitingFor", gate.waitingFor()).build();
    }
}
