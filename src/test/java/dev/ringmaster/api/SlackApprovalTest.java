package dev.ringmaster.api;

import static dev.ringmaster.api.RestApi.JSON;
import static dev.ringmaster.api.RestApi.by;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.api.RestApi.Response;
import dev.ringmaster.slack.FakeSlack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Approvals from Slack, end to end: the real application, its Slack client pointed at {@link FakeSlack} (a local
 * server speaking the Web API methods used and checking the bot token; no Slack can be reached here), and button
 * clicks and slash commands signed exactly as Slack signs them (v0 HMAC-SHA256 over "v0:timestamp:body").
 */
// Closed when the class is done, while the JVM still runs: its embedded PostgreSQL stops instead of outliving the tests.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SlackApprovalTest {
  @TempDir static Path dir;
  static final FakeSlack SLACK;
  static final String SECRET = System.getenv("RINGMASTER_TEST_SLACK_SIGNING_SECRET");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static {
    try {
      SLACK = new FakeSlack(System.getenv("RINGMASTER_TEST_SLACK_TOKEN"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SLACK.userGroups.put("S0SRE", List.of("U0DAVE", "U0ERIN"));
    SLACK.usersByEmail.put("dave@example.com", "U0DAVE");
  }

  @LocalServerPort int port;
  RestApi api;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
    r.add("ringmaster.slack.token-env", () -> "RINGMASTER_TEST_SLACK_TOKEN");
    r.add("ringmaster.slack.signing-secret-env", () -> "RINGMASTER_TEST_SLACK_SIGNING_SECRET");
    r.add("ringmaster.slack.api-url", SLACK::apiUrl);
    r.add("ringmaster.slack.operators", () -> "U0OPS");
  }

  @AfterAll
  static void stop() {
    SLACK.close();
  }

  @BeforeEach
  void setUp() {
    api = new RestApi(port);
    SLACK.down = false;
    SLACK.failures.clear();
  }

  /** workflows/example.yaml without its migration, posting to Slack, canary approved by U0ALICE or the S0SRE group. */
  static String definition(String quorum, String... soaks) throws IOException {
    String yaml = Files.readString(Path.of("workflows/example.yaml"));
    yaml = yaml.substring(0, yaml.indexOf("  migration:")) + yaml.substring(yaml.indexOf("  rings:"));
    for (String soak : soaks) yaml = yaml.replaceFirst("soak: 20s", "soak: " + soak);
    return yaml.replace("approvers: [alice, bob], quorum: 1", "approvers: [U0ALICE, S0SRE], quorum: " + quorum)
        + "  notify:\n    slack: { channel: C0RELEASES }\n";
  }

  /** Each test in its own domain: a finished rollout may hold its domain while its last notifications flush. */
  String start(String yaml, String version) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("definition", yaml.replace("domain: demo", "domain: slack-" + version.replace('.', '-'))
        .replace("key: new-example-flow", "key: slack-flow-" + version.replace('.', '-'))).put("version", version).put("triggeredBy", "dave@example.com");
    Response r = api.call("POST", "/api/rollouts", body);
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(201);
    return r.body().get("id").asText();
  }

  static String sign(String timestamp, String body, String secret) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
  }

  int post(String path, String body, String timestamp, String signature) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
    if (timestamp != null) b.header("X-Slack-Request-Timestamp", timestamp);
    if (signature != null) b.header("X-Slack-Signature", signature);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  HttpResponse<String> signed(String path, String body) throws Exception {
    String ts = Long.toString(System.currentTimeMillis() / 1000);
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", ts)
        .header("X-Slack-Signature", sign(ts, body, SECRET)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode openApproval(String id) {
    return await().atMost(Duration.ofSeconds(20)).until(() -> SLACK.openApprovals(id).stream().findFirst().orElse(null), m -> m != null);
  }

  /** The form body Slack sends when {@code user} clicks {@code action} on the open approval message. */
  static String click(String id, String user, String action) throws Exception {
    JsonNode message = openApproval(id);
    return click(message.at("/blocks").findValues("value").get(0).asText(), message.get("ts").asText(), user, action);
  }

  /** A click on a button with this value (also one whose message has since changed, or a rollout that is gone). */
  static String click(String value, String messageTs, String user, String action) {
    ObjectNode payload = JSON.createObjectNode().put("type", "block_actions");
    payload.putObject("user").put("id", user);
    payload.putObject("channel").put("id", "C0RELEASES");
    payload.putObject("container").put("type", "message").put("message_ts", messageTs).put("channel_id", "C0RELEASES");
    payload.putArray("actions").addObject().put("action_id", action).put("block_id", "ringmaster-approval").put("value", value).put("type", "button");
    return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
  }

  String lastEphemeralTo(String user) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> {
      synchronized (SLACK.ephemerals) {
        return SLACK.ephemerals.stream().filter(e -> e.user().equals(user)).reduce((a, b) -> b).map(FakeSlack.Ephemeral::text).orElse(null);
      }
    }, t -> t != null);
  }

  @Test
  void approveInSlackAdvancesTheRolloutAndTheMessageIsUpdatedInPlace() throws Exception {
    String id = start(definition("1", "200ms", "200ms", "200ms"), "5.0.0");
    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    JsonNode ask = openApproval(id);
    assertThat(ask.toString()).contains("example 5.0.0").contains("awaits approval of *canary*").contains("*Next*\\neveryone")
        .contains("*Triggered by*\\ndave@example.com").contains("*Deadline*").contains("U0ALICE, S0SRE (quorum 1)")
        .contains("/api/rollouts/" + id);
    assertThat(ask.get("thread_ts")).isNotNull();

    assertThat(signed("/slack/interactions", click(id, "U0ALICE", "approve")).statusCode()).isEqualTo(200);
    assertThat(lastEphemeralTo("U0ALICE")).startsWith("Approved 'canary' of " + id);
    api.awaitStatus(id, "state", "SUCCEEDED");
    assertThat(api.status(id).at("/approvals/0/by").asText()).isEqualTo("U0ALICE");
    assertThat(api.status(id).at("/approvals/0/source").asText()).isEqualTo("slack");
    await().atMost(Duration.ofSeconds(10)).until(() -> SLACK.openApprovals(id).isEmpty());
    assertThat(SLACK.messages.get(ask.get("ts").asText()).toString()).contains("'canary' approved by U0ALICE").doesNotContain("\"action_id\":\"approve\"");
    await().atMost(Duration.ofSeconds(10)).until(() -> SLACK.messages.values().stream().anyMatch(m -> m.path("text").asText().contains("succeeded")));
  }

  @Test
  void rejectInSlackRollsBackAndTheMessageSaysSo() throws Exception {
    String id = start(definition("1", "200ms", "200ms", "200ms"), "5.0.1");
    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    String ts = openApproval(id).get("ts").asText();
    assertThat(signed("/slack/interactions", click(id, "U0ALICE", "reject")).statusCode()).isEqualTo(200);
    api.awaitStatus(id, "state", "ROLLED_BACK");
    assertThat(api.status(id).get("rollbackReason").asText()).startsWith("'canary' rejected by U0ALICE");
    await().atMost(Duration.ofSeconds(10)).until(() -> SLACK.openApprovals(id).isEmpty());
    assertThat(SLACK.messages.get(ts).path("text").asText()).startsWith(":no_entry: 'canary' rejected by U0ALICE");
  }

  @Test
  void forgedStaleAndReplayedRequestsAre401AndChangeNothing() throws Exception {
    String id = start(definition("1", "200ms", "200ms", "200ms"), "5.0.2");
    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    String body = click(id, "U0ALICE", "approve");
    String now = Long.toString(System.currentTimeMillis() / 1000);
    String stale = Long.toString(System.currentTimeMillis() / 1000 - 301);
    assertThat(post("/slack/interactions", body, now, sign(now, body, "not-the-secret"))).as("forged").isEqualTo(401);
    assertThat(post("/slack/interactions", body, stale, sign(stale, body, SECRET))).as("stale").isEqualTo(401);
    String otherBody = click(id, "U0MALLORY", "approve");
    assertThat(post("/slack/interactions", body, now, sign(now, otherBody, SECRET))).as("replayed with another body's signature").isEqualTo(401);
    assertThat(post("/slack/interactions", body, null, null)).as("unsigned").isEqualTo(401);
    assertThat(post("/slack/commands", "command=%2Fringmaster&text=abort+" + id + "+x&user_id=U0OPS", now, sign(now, "x", SECRET))).isEqualTo(401);
    Thread.sleep(500);
    JsonNode s = api.status(id);
    assertThat(s.get("phase").asText()).isEqualTo("AWAITING_APPROVAL");
    assertThat(s.get("approvals")).isEmpty();
    assertThat(SLACK.ephemerals).noneMatch(e -> e.text().contains(id) && e.user().equals("U0ALICE"));
    api.call("POST", "/api/rollouts/" + id + "/reject", by("U0ALICE"));
    api.awaitStatus(id, "state", "ROLLED_BACK");
  }

  @Test
  void approverRulesNonApproverSelfApprovalGroupMemberQuorumOfTwoAndDoubleClick() throws Exception {
    String id = start(definition("2", "200ms", "200ms", "200ms"), "5.0.3");
    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");

    signed("/slack/interactions", click(id, "U0MALLORY", "approve"));
    assertThat(lastEphemeralTo("U0MALLORY")).isEqualTo("Not counted: U0MALLORY is not an approver for 'canary'; approvers: U0ALICE, S0SRE");
    signed("/slack/interactions", click(id, "U0DAVE", "approve"));
    assertThat(lastEphemeralTo("U0DAVE")).isEqualTo("Not counted: you triggered this rollout (as dave@example.com) and cannot approve it; ask another approver.");

    signed("/slack/interactions", click(id, "U0ALICE", "approve"));
    assertThat(lastEphemeralTo("U0ALICE")).startsWith("Approved 'canary' of " + id).endsWith("(1 of 2)");
    signed("/slack/interactions", click(id, "U0ALICE", "approve"));
    assertThat(lastEphemeralTo("U0ALICE")).startsWith("Not counted: U0ALICE has already approved 'canary'");
    assertThat(api.status(id).get("approvals")).hasSize(1);
    assertThat(api.status(id).get("phase").asText()).isEqualTo("AWAITING_APPROVAL");

    signed("/slack/interactions", click(id, "U0ERIN", "approve")); // a member of S0SRE, looked up in Slack
    assertThat(lastEphemeralTo("U0ERIN")).startsWith("Approved 'canary' of " + id).endsWith("(2 of 2)");
    api.awaitStatus(id, "state", "SUCCEEDED");
    assertThat(api.status(id).get("approvals").findValues("by")).extracting(JsonNode::asText).containsExactly("U0ALICE", "U0ERIN");
    assertThat(SLACK.calls("usergroups.users.list")).as("S0SRE's members, looked up once and cached").isEqualTo(1);

    // A late click on an old message, and one for a rollout that does not exist: told why, nothing counted.
    signed("/slack/interactions", click(id + "|canary", "1700000000.000001", "U0ALICE", "approve"));
    assertThat(lastEphemeralTo("U0ALICE")).isEqualTo("Not counted: " + id + " already ended SUCCEEDED; nothing awaits approval");
    signed("/slack/interactions", click("rollout-gone-1.0.0|canary", "1700000000.000001", "U0ERIN", "approve"));
    assertThat(lastEphemeralTo("U0ERIN")).isEqualTo("Not counted: rollout rollout-gone-1.0.0 no longer exists.");
  }

  @Test
  void slackDownOrRateLimitedNeverBlocksTheRolloutAndRestApprovalWorks() throws Exception {
    SLACK.down = true;
    String id = start(definition("1", "200ms", "200ms", "200ms"), "5.0.4");
    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    SLACK.down = false;
    for (int i = 0; i < 20; i++) SLACK.failures.add(429);
    Response approved = api.call("POST", "/api/rollouts/" + id + "/approve", by("U0ALICE"));
    assertThat(approved.status()).isEqualTo(200);
    api.awaitStatus(id, "state", "SUCCEEDED");
    assertThat(SLACK.calls("chat.postMessage")).isPositive();
    // Once Slack answers again the rollout gets one thread, not a new root message per notification.
    Thread.sleep(2000);
    assertThat(SLACK.messages.values().stream().filter(m -> !m.has("thread_ts") && m.path("text").asText().contains("5.0.4")).count())
        .isLessThanOrEqualTo(1);
  }

  @Test
  void theSlashCommandShowsStatusAndAnOperatorAbortsASoakingRollout() throws Exception {
    String id = start(definition("1", "1h"), "5.0.5");
    api.awaitStatus(id, "phase", "SOAKING");
    HttpResponse<String> status = signed("/slack/commands", "command=%2Fringmaster&text=status+example&user_id=U0ALICE&channel_id=C0RELEASES");
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(status.body()).get("text").asText()).contains(id + ": RUNNING, SOAKING");

    HttpResponse<String> refused = signed("/slack/commands", "command=%2Fringmaster&text=abort+" + id + "+pager&user_id=U0ALICE&channel_id=C0RELEASES");
    assertThat(JSON.readTree(refused.body()).get("text").asText()).startsWith("Not allowed: only Ringmaster operators");
    assertThat(api.status(id).get("phase").asText()).isEqualTo("SOAKING");

    HttpResponse<String> aborted = signed("/slack/commands", "command=%2Fringmaster&text=abort+" + id + "+checkout+latency+alert&user_id=U0OPS&channel_id=C0RELEASES");
    assertThat(JSON.readTree(aborted.body()).get("text").asText()).startsWith("<@U0OPS> aborted " + id + ": checkout latency alert");
    api.awaitStatus(id, "state", "ROLLED_BACK");
    assertThat(api.status(id).get("rollbackReason").asText()).isEqualTo("aborted by U0OPS via slack: checkout latency alert");
  }
}
