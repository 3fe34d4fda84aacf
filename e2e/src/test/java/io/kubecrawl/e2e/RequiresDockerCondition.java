package io.kubecrawl.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Skips a class that needs a Docker engine where there is none, so that the suite is reported as skipped with its
 * reason rather than failed, or passed without having run.
 *
 * <p>The reason also goes to stdout: Maven's console names skipped tests but not why.
 */
public final class RequiresDockerCondition implements ExecutionCondition {
    static final String NO_DOCKER =
            "no Docker engine on this machine: the k3s suite needs one (Testcontainers found none)";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        // Decided once, for the class: the methods of a disabled class are never asked about.
        if (context.getTestMethod().isPresent()) {
            return ConditionEvaluationResult.enabled("the class found a Docker engine");
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("Testcontainers found a Docker engine");
        }
        System.out.println(context.getDisplayName() + " SKIPPED: " + NO_DOCKER);
        return ConditionEvaluationResult.disabled(NO_DOCKER);
    }
}
