package dev.ringmaster.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Ringmaster process ({@code java -cp <the test class path> dev.ringmaster.RingmasterApplication}) in a working
 * directory of the test's, on a free HTTP port, with its output in {@code ringmaster-<port>.log} there. Killed with
 * SIGKILL ({@link #kill}) as a crash would; always stopped by the test.
 */
public final class RingmasterProcess implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public record Answer(int status, JsonNode body) {}

  private final Process process;
  private final int port;
  private final Path log;
  private final Path workDir;

  private RingmasterProcess(Process process, int port, Path log, Path workDir) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.workDir = workDir;
  }

  /** @param properties Spring properties as {@code --key=value} arguments */
  public static RingmasterProcess start(Path workDir, Map<String, String> properties) throws IOException {
    return start(workDir, properties, List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
  }

  /** @param jvmOptions the JVM's options (the tests' default favours start-up time over throughput) */
  public static RingmasterProcess start(Path workDir, Map<String, String> properties, List<String> jvmOptions) throws IOException {
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ringmaster.RingmasterApplication", "--server.port=" + port,
        "--ringmaster.public-url=http://127.0.0.1:" + port));
    TestTokens.properties().forEach((k, v) -> command.add("--" + k + "=" + v));
    properties.forEach((k, v) -> command.add("--" + k + "=" + v));
    Path log = workDir.resolve("ringmaster-" + port + ".log");
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new RingmasterProcess(p, port, log, workDir);
  }

  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Waits until the API answers and the worker runs (health UP), or fails with the end of the process's log. */
  public RingmasterProcess awaitReady(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new AssertionError("Ringmaster on port " + port + " exited " + process.exitValue() + ":\n" + logTail());
      try {
        if (call("GET", "/actuator/health", null).status() == 200) return this;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Ringmaster on port " + port + " not ready within " + within + ":\n" + logTail());
  }

  /**
   * A call with the token of the identity the body names ({@link TestTokens}); without one, with the admin token
   * the process generated into its working directory's {@code var/admin-token}, as the CLI would.
   */
  public Answer call(String method, String path, Object body) throws IOException, InterruptedException {
    String identity = TestTokens.identityFor(body, null);
    Path adminToken = workDir.resolve("var/admin-token");
    String token = identity != null ? TestTokens.tokenOf(identity) : java.nio.file.Files.exists(adminToken) ? java.nio.file.Files.readString(adminToken).strip() : "none-yet";
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isBlank() ? null : JSON.readTree(r.body()));
  }

  /** SIGKILL, as a crash, an OOM kill or {@code kill -9} would: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
