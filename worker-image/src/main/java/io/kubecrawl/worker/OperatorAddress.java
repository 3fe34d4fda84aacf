package io.kubecrawl.worker;

/** The operator's gRPC endpoint, {@code host:port}, with an IPv6 host in brackets ({@code [fd00::1]:9090}). */
public record OperatorAddress(String host, int port) {

    public static OperatorAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected <host>:<port>");
        }
        String host = text.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (host.contains(":") && !bracketed) {
            throw new IllegalArgumentException("an IPv6 host must be in brackets, as in [fd00::1]:9090");
        }
        return new OperatorAddress(host, parsePort(text.substring(colon + 1)));
    }

    private static int parsePort(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("the port '" + text + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port " + port + " is outside 1-65535");
        }
        return port;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
