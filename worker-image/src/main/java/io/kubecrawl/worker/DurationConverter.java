package io.kubecrawl.worker;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration as people write it in a pod template: a whole number with a unit, {@code 500ms}, {@code 30s},
 * {@code 10m}, {@code 2h}, or ISO-8601 ({@code PT10M}). A bare number is refused: it would be a guess at the unit.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern AMOUNT_AND_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    public static Duration parse(String text) {
        String value = text.strip();
        Matcher matcher = AMOUNT_AND_UNIT.matcher(value);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative()) {
                throw new TypeConversionException("'" + text + "' is negative");
            }
            return duration;
        } catch (DateTimeParseException malformed) {
            throw new TypeConversionException("'" + text + "' is not a duration such as 500ms, 30s, 10m, 2h or PT10M");
        }
    }
}
