package dev.ringmaster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.ringmaster.support.TestTokens;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Ringmaster's REST API as CI and operators call it, for the end-to-end tests. */
public final class RestApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  record Response(int status, JsonNode body) {}

  private final int port;

  RestApi(int port) {
    this.port = port;
  }

  /** With the token of the identity the body names ({@link TestTokens}), else the token of {@code ci-bot}. */
  Response call(String method, String path, Object body) throws IOException, InterruptedException {
    return callAs(TestTokens.identityFor(body, "ci-bot"), method, path, body);
  }

  Response callAs(String identity, String method, String path, Object body) throws IOException, InterruptedException {
    return callWithToken(TestTokens.tokenOf(identity), method, path, body);
  }

  Response callWithToken(String token, String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  JsonNode status(String id) throws Exception {
    Response r = call("GET", "/api/rollouts/" + id, null);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  void awaitStatus(String id, String field, String value) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> value.equals(status(id).path(field).asText()));
  }

  /** The application's local connections pointed at {@code dir}, in-process Temporal on a free port, short soaks allowed. */
  public static void localConnectionsIn(Path dir, DynamicPropertyRegistry r) {
    TestTokens.properties().forEach((k, v) -> r.add(k, () -> v));
    r.add("ringmaster.auth.admin-token-file", () -> dir.resolve("admin-token").toString());
    r.add("ringmaster.temporal.mode", () -> "in-process");
    r.add("ringmaster.temporal.embedded-port", () -> "0");
    r.add("ringmaster.connections.local-flags.path", () -> dir.resolve("flags.json").toString());
    r.add("ringmaster.connections.local-deploy.deploy", () -> "RINGMASTER_LOCAL_DIR=" + dir + " sh workflows/local/deploy.sh {version}");
    r.add("ringmaster.connections.local-deploy.current-version", () -> "RINGMASTER_LOCAL_DIR=" + dir + " sh workflows/local/current-version.sh");
    r.add("ringmaster.connections.local-db.data-dir", () -> dir.resolve("postgres").toString());
    r.add("ringmaster.min-soak-with-migration", () -> "1s");
  }

  /** workflows/example.yaml with its 20 s soaks replaced, in order. */
  static String example(String... soaks) throws IOException {
    String yaml = Files.readString(Path.of("workflows/example.yaml"));
    // Split once, so a soak of "20s" given for one ring is not taken for the next ring's placeholder.
    String[] parts = yaml.split("soak: 20s", -1);
    StringBuilder out = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) out.append("soak: ").append(i <= soaks.length ? soaks[i - 1] : "20s").append(parts[i]);
    return out.toString();
  }

  static ObjectNode start(String yaml, String version) {
    return JSON.createObjectNode().put("definition", yaml).put("version", version).put("triggeredBy", "ci-bot").put("commit", "abc123");
  }

  static ObjectNode by(String who) {
    return JSON.createObjectNode().put("by", who).put("comment", "from the end-to-end test");
  }
}
