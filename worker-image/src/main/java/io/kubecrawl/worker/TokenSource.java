package io.kubecrawl.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.kubecrawl.protocol.WorkerEnvironment;

/**
 * Where the job's worker token comes from: a file (the job's Secret mounted into the pod) or the environment variable
 * {@value WorkerEnvironment#TOKEN}. Never the command line, which every process on the node can read. No method of
 * this class returns the token except {@link #read()}, and {@link #toString()} names only where it comes from.
 */
public final class TokenSource {

    private final Path file;
    private final String environmentToken;

    private TokenSource(Path file, String environmentToken) {
        this.file = file;
        this.environmentToken = environmentToken;
    }

    /** The token file if one is named, else the token in the environment, else nothing. */
    public static Optional<TokenSource> configured(String tokenFile, Map<String, String> environment) {
        if (tokenFile != null && !tokenFile.isBlank()) {
            return Optional.of(new TokenSource(Path.of(tokenFile), null));
        }
        String token = environment.get(WorkerEnvironment.TOKEN);
        if (token != null && !token.isBlank()) {
            return Optional.of(new TokenSource(null, token.strip()));
        }
        return Optional.empty();
    }

    /**
     * Reads the token, from the file every time: a mounted Secret is updated in place when the token is rotated.
     *
     * @throws IOException if the file cannot be read or holds no token
     */
    public String read() throws IOException {
        if (file == null) {
            return environmentToken;
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("the token file " + file + " is empty");
        }
        return token;
    }

    @Override
    public String toString() {
        return file != null ? "token file " + file : "environment variable " + WorkerEnvironment.TOKEN;
    }
}
