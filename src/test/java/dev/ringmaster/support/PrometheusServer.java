package dev.ringmaster.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus (the Debian package's binary, installed by .ci/run) started by a test on a free loopback port,
 * scraping one target every second; stopped by the test. Tests using it skip, saying so, where it is not installed.
 */
public final class PrometheusServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private PrometheusServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static Optional<Path> binary() {
    return executable("prometheus");
  }

  /** {@code tool} on the PATH (or in /usr/bin, where Debian puts it), for tests that need an installed program. */
  public static Optional<Path> executable(String tool) {
    String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
    return Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts Prometheus scraping each target ({@code host:port}, path /metrics; its series labelled {@code instance="host:port"})
   * every second; skips the test if absent.
   */
  public static PrometheusServer scraping(String... targets) throws IOException, InterruptedException {
    String target = String.join("', '", targets);
    Optional<Path> bin = binary();
    Assumptions.assumeTrue(bin.isPresent(), "prometheus is not installed (apt-get install -y prometheus; .ci/run does it): skipping the real-Prometheus tests");
    Path dir = Files.createTempDirectory("ringmaster-prometheus-");
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: target
            static_configs:
              - targets: ['%s']
        """.formatted(target));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(List.of(bin.get().toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(p, port);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(server.url() + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    server.close();
    throw new IllegalStateException("prometheus did not become ready in 20 s; see " + dir.resolve("prometheus.log"));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public boolean running() {
    return process.isAlive();
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
