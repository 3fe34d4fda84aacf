package io.kubecrawl.worker;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Resolves {@code ${env:NAME}} and {@code ${env:NAME:-fallback}} in the declared defaults of options from a given
 * environment, where picocli would read the process's own: tests hand in a map instead of setting real variables.
 *
 * <p>A variable that is unset or empty takes the fallback (as in a shell); without a fallback the default is the
 * empty string, which the commands treat as "not given". Picocli uses its own default only for a declared default that
 * names no environment variable.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
    private static final Pattern ENV_VARIABLE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Map<String, String> environment;

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        String declared = declaredDefault(argument);
        if (declared == null || !ENV_VARIABLE.matcher(declared).find()) {
            return null;
        }
        return ENV_VARIABLE.matcher(declared).replaceAll(variable -> Matcher.quoteReplacement(resolve(variable)));
    }

    private String resolve(MatchResult variable) {
        String value = environment.get(variable.group(1));
        if (value == null || value.isEmpty()) {
            value = variable.group(2) == null ? "" : variable.group(2);
        }
        // Picocli interpolates what a provider returns once more; "$${" is its escape for a literal "${".
        return value.replace("${", "$${");
    }

    /** The default as written in the annotation: picocli's model only offers it with the variables already resolved. */
    private static String declaredDefault(ArgSpec argument) {
        if (argument.userObject() instanceof Field field) {
            Option option = field.getAnnotation(Option.class);
            if (option != null) {
                return option.defaultValue();
            }
            Parameters parameters = field.getAnnotation(Parameters.class);
            if (parameters != null) {
                return parameters.defaultValue();
            }
        }
        return null;
    }
}
