package io.kubecrawl.worker;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Usage errors found after parsing, worded like picocli's own so that a user reads one style, and naming the
 * environment variable too: in a pod the value usually comes from there.
 */
final class UsageErrors {
    private UsageErrors() {
    }

    /** The option's value, or a usage error if neither the option nor its environment variable gave one. */
    static String require(CommandSpec command, String option, String environmentVariable, String value) {
        if (value == null || value.isBlank()) {
            throw new ParameterException(command.commandLine(), "Missing required option: '" + synopsis(command, option)
                    + "' (or environment variable " + environmentVariable + ")");
        }
        return value.strip();
    }

    static ParameterException invalid(CommandSpec command, String option, String value, String reason) {
        return new ParameterException(command.commandLine(),
                "Invalid value for option '" + option + "': '" + value + "': " + reason);
    }

    /** A usage error unless {@code value} is at least 1. */
    static void requirePositive(CommandSpec command, String option, long value) {
        if (value < 1) {
            throw invalid(command, option, String.valueOf(value), "must be at least 1");
        }
    }

    private static String synopsis(CommandSpec command, String option) {
        OptionSpec spec = command.findOption(option);
        return spec == null ? option : option + "=" + spec.paramLabel();
    }
}
