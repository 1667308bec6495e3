package dev.ringmaster.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Unleash server (npm {@code unleash-server@7.5.1} on Node, installed by .ci/run into
 * {@code ~/.cache/ringmaster/unleash-7.5.1}, or where {@code RINGMASTER_UNLEASH_DIR} says) on a free loopback port,
 * with its own database in the test JVM's embedded PostgreSQL; started and stopped by the test. Tests using it skip,
 * saying so, where Node or the package is absent.
 */
public final class UnleashServer implements AutoCloseable {
  public static final String ADMIN_TOKEN = "*:*.ringmaster-test-admin";
  public static final String CLIENT_TOKEN = "default:development.ringmaster-test-client";

  private final Process process;
  private final int port;

  private UnleashServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static Path home() {
    String dir = System.getenv("RINGMASTER_UNLEASH_DIR");
    return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "ringmaster", "unleash-7.5.1");
  }

  public static UnleashServer start() throws IOException, InterruptedException {
    Path server = home().resolve("node_modules/unleash-server/dist/server.js");
    Assumptions.assumeTrue(Files.exists(server), "unleash-server is not installed at " + home()
        + " (npm install --prefix " + home() + " unleash-server@7.5.1; .ci/run does it): skipping the real-Unleash tests");
    String database = Postgres.newDatabase();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("ringmaster-unleash-", ".log");
    ProcessBuilder pb = new ProcessBuilder(List.of("node", server.toString())).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(Map.of(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:" + Postgres.server().getPort() + "/" + database,
        "DATABASE_SSL", "false",
        "HTTP_HOST", "127.0.0.1",
        "HTTP_PORT", Integer.toString(port),
        "INIT_ADMIN_API_TOKENS", ADMIN_TOKEN,
        "INIT_CLIENT_API_TOKENS", CLIENT_TOKEN,
        "SEND_TELEMETRY", "false",
        "CHECK_VERSION", "false",
        "LOG_LEVEL", "warn"));
    UnleashServer u = new UnleashServer(pb.start(), port);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline && u.process.isAlive()) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(u.url() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return u;
      } catch (IOException notYet) {
        // starting, migrating its database
      }
      Thread.sleep(250);
    }
    u.close();
    throw new IllegalStateException("Unleash did not become healthy in 90 s; its log: " + Files.readString(log));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
