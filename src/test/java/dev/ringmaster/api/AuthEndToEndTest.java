package dev.ringmaster.api;

import static dev.ringmaster.api.RestApi.JSON;
import static dev.ringmaster.api.RestApi.example;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.api.RestApi.Response;
import dev.ringmaster.auth.ApiTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * API authentication over the real app: identities, roles and service scopes come from bearer tokens configured as
 * SHA-256 hashes; refusals are 401/403 JSON, change nothing and never log a token.
 */
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuthEndToEndTest {
  @TempDir static Path dir;
  /** A marker: this exact string must never show up in a log line, a status or the history. */
  static final String CI_TOKEN = ApiTokens.PREFIX + "MARKER-ci-checkout-7f3a9c";
  static final String OTHER_TEAM = ApiTokens.PREFIX + "other-team-22";
  static final String READER = ApiTokens.PREFIX + "reader-only-31";
  static final String DAVE_CI = ApiTokens.PREFIX + "dave-ci-44";
  static final String DAVE_LAPTOP = ApiTokens.PREFIX + "dave-laptop-45";

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
    token(r, "ci-checkout", "ci-checkout", CI_TOKEN, "trigger,read", "example*");
    token(r, "other-team", "ci-payments", OTHER_TEAM, "trigger,read,approve,operate", "payments-*");
    token(r, "auditor", "auditor", READER, "read", null);
    // One person, two tokens: dave triggers from CI and must not approve from his laptop.
    token(r, "dave-ci", "dave", DAVE_CI, "trigger,read", null);
    token(r, "dave-laptop", "dave", DAVE_LAPTOP, "approve,read", null);
  }

  static void token(DynamicPropertyRegistry r, String name, String identity, String token, String roles, String services) {
    String p = "ringmaster.auth.tokens." + name;
    r.add(p + ".identity", () -> identity);
    r.add(p + ".hash", () -> ApiTokens.hash(token));
    r.add(p + ".roles", () -> roles);
    if (services != null) r.add(p + ".services", () -> services);
  }

  static ObjectNode start(String yaml, String version) {
    return JSON.createObjectNode().put("definition", yaml).put("version", version);
  }

  @Test
  void refusedCallsAre401Or403WithTheReasonAndChangeNothing(CapturedOutput output) throws Exception {
    RestApi api = new RestApi(port);
    String yaml = example("1h").replace("domain: demo", "domain: auth-refused").replace("key: new-example-flow", "key: auth-refused-flow");

    Response none = api.callWithToken(null, "POST", "/api/rollouts", start(yaml, "1.0.0"));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().get("error").asText()).isEqualTo("authentication required: send 'Authorization: Bearer <token>'");
    Response wrong = api.callWithToken(CI_TOKEN + "x", "POST", "/api/rollouts", start(yaml, "1.0.0"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body().get("error").asText()).isEqualTo("invalid token");
    assertThat(api.callWithToken(null, "GET", "/api/rollouts?token=" + CI_TOKEN, null).status()).isEqualTo(400);

    Response reader = api.callWithToken(READER, "POST", "/api/rollouts", start(yaml, "1.0.0"));
    assertThat(reader.status()).isEqualTo(403);
    assertThat(reader.body().get("error").asText()).isEqualTo("auditor may not start rollouts: the role 'trigger' is missing");
    Response otherTeam = api.callWithToken(OTHER_TEAM, "POST", "/api/rollouts", start(yaml, "1.0.0"));
    assertThat(otherTeam.status()).isEqualTo(403);
    assertThat(otherTeam.body().get("error").asText()).isEqualTo("ci-payments may not start rollouts of service 'example': outside its service scopes");
    Response impersonated = api.callWithToken(CI_TOKEN, "POST", "/api/rollouts", start(yaml, "1.0.0").put("triggeredBy", "alice"));
    assertThat(impersonated.status()).isEqualTo(403);

    assertThat(api.callWithToken(READER, "GET", "/api/rollouts", null).body()).as("nothing was started").isEmpty();
    assertThat(dir.resolve("deploy.log")).doesNotExist();
    assertThat(output.getAll()).contains("refused POST /api/rollouts").doesNotContain(CI_TOKEN).doesNotContain(ApiTokens.hash(CI_TOKEN).substring(7));
  }

  @Test
  void identitiesComeFromTokensForTriggerApprovalAndRecordsNeverHoldATokenOrItsHash(CapturedOutput output) throws Exception {
    RestApi api = new RestApi(port);
    String yaml = example("1s", "1s", "1s").replace("domain: demo", "domain: auth-flow").replace("key: new-example-flow", "key: auth-flow-flag")
        .replace("approvers: [alice, bob]", "approvers: [alice, dave]");
    assertThat(yaml).contains("approvers: [alice, dave]");

    // Triggered by dave's CI token, with no triggeredBy in the body: recorded as dave.
    Response started = api.callWithToken(DAVE_CI, "POST", "/api/rollouts", start(yaml, "7.0.0"));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    assertThat(api.status(id).get("triggeredBy").asText()).isEqualTo("dave");

    // dave's other token is still dave: self-approval. Bob's token naming alice: refused, never recorded as alice.
    Response self = api.callWithToken(DAVE_LAPTOP, "POST", "/api/rollouts/" + id + "/approve", JSON.createObjectNode().put("comment", "mine"));
    assertThat(self.status()).as(String.valueOf(self.body())).isEqualTo(403);
    assertThat(self.body().get("error").asText()).containsIgnoringCase("trigger");
    Response asAlice = api.callAs("bob", "POST", "/api/rollouts/" + id + "/approve", JSON.createObjectNode().put("by", "alice"));
    assertThat(asAlice.status()).isEqualTo(403);
    Response scoped = api.callWithToken(OTHER_TEAM, "POST", "/api/rollouts/" + id + "/abort", JSON.createObjectNode().put("reason", "not mine"));
    assertThat(scoped.status()).isEqualTo(403);
    assertThat(scoped.body().get("error").asText()).isEqualTo("ci-payments may not abort rollouts of service 'example': outside its service scopes");
    assertThat(api.callWithToken(OTHER_TEAM, "GET", "/api/rollouts/" + id, null).status()).isEqualTo(403);
    assertThat(api.callWithToken(OTHER_TEAM, "GET", "/api/rollouts", null).body()).as("another team's list leaves this rollout out").isEmpty();
    assertThat(api.status(id).get("approvals")).isEmpty();

    // Alice's token approves as alice; the rollout goes on.
    Response approved = api.callAs("alice", "POST", "/api/rollouts/" + id + "/approve", JSON.createObjectNode().put("comment", "lgtm"));
    assertThat(approved.status()).as(String.valueOf(approved.body())).isEqualTo(200);
    JsonNode approvals = api.status(id).get("approvals");
    assertThat(approvals.findValuesAsText("by")).containsExactly("alice");
    assertThat(approvals.findValuesAsText("source")).containsExactly("rest");
    api.awaitStatus(id, "state", "SUCCEEDED");

    String history = api.callWithToken(READER, "GET", "/api/rollouts/" + id + "/history", null).body().toString();
    for (String secret : new String[] {DAVE_CI, DAVE_LAPTOP, CI_TOKEN, ApiTokens.hash(DAVE_CI).substring(7), TestTokensMarker.ALICE}) {
      assertThat(history).doesNotContain(secret);
      assertThat(output.getAll()).doesNotContain(secret);
    }
  }

  @Test
  void theGeneratedAdminTokenIsPrivateAndWorksAndHealthStaysOpen() throws Exception {
    RestApi api = new RestApi(port);
    Path file = dir.resolve("admin-token");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String admin = Files.readString(file).strip();
    assertThat(admin).startsWith(ApiTokens.PREFIX).hasSizeGreaterThan(40);
    assertThat(api.callWithToken(admin, "GET", "/api/rollouts", null).status()).isEqualTo(200);
    assertThat(api.callWithToken(null, "GET", "/actuator/health", null).status()).isEqualTo(200);
    assertThat(api.callWithToken(null, "GET", "/api/rollouts", null).status()).isEqualTo(401);
  }

  /** Alice's test token, named here so the history check above covers a token that was used. */
  static final class TestTokensMarker {
    static final String ALICE = dev.ringmaster.support.TestTokens.tokenOf("alice");
  }
}
