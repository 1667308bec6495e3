package dev.ringmaster.api;

import static dev.ringmaster.api.RestApi.JSON;
import static dev.ringmaster.api.RestApi.by;
import static dev.ringmaster.api.RestApi.example;
import static dev.ringmaster.api.RestApi.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmaster.api.RestApi.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real application over HTTP: embedded Temporal (test server on a free loopback port), the flagd-file and
 * command adapters writing to a temporary directory, the embedded PostgreSQL with its data there too, and
 * workflows/example.yaml with its soaks shortened.
 */
// Closed when the class is done, while the JVM still runs: its embedded PostgreSQL stops instead of outliving the tests.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EndToEndTest {
  @TempDir static Path dir;

  @LocalServerPort int port;
  RestApi api;

  @BeforeEach
  void api() {
    api = new RestApi(port);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
  }

  String lastDeployed() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("deploy.log"));
    return lines.get(lines.size() - 1);
  }

  @Test
  void aStartedRolloutCanBeReadAtOnceWithoutWaitingForIt() throws Exception {
    for (int n = 0; n < 5; n++) {
      String yaml = example("1h").replace("service: example", "service: example-readable" + n).replace("domain: demo", "domain: readable" + n)
          .replace("key: new-example-flow", "key: readable-flow-" + n);
      Response started = api.call("POST", "/api/rollouts", start(yaml, "1.0." + n));
      assertThat(started.status()).isEqualTo(201);
      String id = started.body().get("id").asText();
      Response status = api.call("GET", "/api/rollouts/" + id, null);
      assertThat(status.status()).as("status of %s right after its 201", id).isEqualTo(200);
      assertThat(status.body().get("version").asText()).isEqualTo("1.0." + n);
      api.call("POST", "/api/rollouts/" + id + "/abort", by("sre"));
      api.awaitStatus(id, "state", "ROLLED_BACK");
    }
  }

  @Test
  void aRollbackRedeploysTheLastVersionThatSucceededEvenWhenSomethingElseWasDeployedSince() throws Exception {
    String yaml = example("1s", "1s", "1s").replace("service: example", "service: example-knowngood").replace("domain: demo", "domain: knowngood")
        .replace("key: new-example-flow", "key: knowngood-flow")
        .replace("      approval: { approvers: [alice, bob], quorum: 1, timeout: 1h, onTimeout: rollback }\n", "");
    String good = api.call("POST", "/api/rollouts", start(yaml, "1.0.0")).body().get("id").asText();
    api.awaitStatus(good, "state", "SUCCEEDED");
    Files.writeString(dir.resolve("running-version"), "1.0.5-hotfix\n"); // deployed by hand, never through its rings

    String reusing = yaml.replace("soak: 1s", "soak: 1h").replace("    expires: 2027-06-30\n", "    expires: 2027-06-30\n    reuse: true\n");
    String next = api.call("POST", "/api/rollouts", start(reusing, "1.1.0")).body().get("id").asText();
    api.awaitStatus(next, "phase", "SOAKING");
    JsonNode soaking = api.status(next);
    assertThat(soaking.get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(soaking.get("previousVersionWhy").asText()).isEqualTo("the deploy target runs 1.0.5-hotfix but the last rollout of this "
        + "service that succeeded is " + good + " (1.0.0): a rollback redeploys 1.0.0");
    api.call("POST", "/api/rollouts/" + next + "/abort", by("sre"));
    api.awaitStatus(next, "state", "ROLLED_BACK");
    assertThat(Files.readString(dir.resolve("running-version")).strip()).isEqualTo("1.0.0");

    // 1.1.0 was rolled back; say a crash left it running. The next rollback still goes to 1.0.0, never to 1.1.0.
    Files.writeString(dir.resolve("running-version"), "1.1.0\n");
    String third = api.call("POST", "/api/rollouts", start(reusing, "1.2.0")).body().get("id").asText();
    api.awaitStatus(third, "phase", "SOAKING");
    assertThat(api.status(third).get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(api.status(third).get("previousVersionWhy").asText()).startsWith("the deploy target runs 1.1.0 but the last rollout");
    api.call("POST", "/api/rollouts/" + third + "/abort", by("sre"));
    api.awaitStatus(third, "state", "ROLLED_BACK");
    assertThat(Files.readString(dir.resolve("running-version")).strip()).isEqualTo("1.0.0");
  }

  @Test
  void aRolloutSucceedsWithARestApprovalAndTheNextIsAbortedMidSoakBackToThePreviousVersion() throws Exception {
    // 1. A full rollout: three rings, a REST approval, SUCCEEDED with the flag at 100 % for everyone.
    Response started = api.call("POST", "/api/rollouts", start(example("1s", "1s", "1s"), "2.0.0"));
    assertThat(started.status()).isEqualTo(201);
    String id = started.body().get("id").asText();
    assertThat(id).isEqualTo("rollout-example-2.0.0");
    assertThat(started.body().get("statusUrl").asText()).endsWith("/api/rollouts/rollout-example-2.0.0");
    assertThat(started.body().get("statusUrl").asText()).as("the port the server really listens on")
        .isEqualTo("http://127.0.0.1:" + port + "/api/rollouts/rollout-example-2.0.0");

    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    Response notApprover = api.call("POST", "/api/rollouts/" + id + "/approve", by("mallory"));
    assertThat(notApprover.status()).isEqualTo(403);
    assertThat(notApprover.body().get("error").asText()).isEqualTo("mallory is not an approver for 'canary'; approvers: alice, bob");
    Response approved = api.call("POST", "/api/rollouts/" + id + "/approve", by("alice"));
    assertThat(approved.status()).isEqualTo(200);
    assertThat(approved.body().get("message").asText()).isEqualTo("quorum reached; the rollout continues");
    api.awaitStatus(id, "state", "SUCCEEDED");

    JsonNode flag = JSON.readTree(dir.resolve("flags.json").toFile()).at("/flags/new-example-flow");
    assertThat(flag.get("defaultVariant").asText()).isEqualTo("on");
    assertThat(flag.has("targeting")).isFalse();
    assertThat(flag.at("/metadata/retired").asBoolean()).isTrue();
    assertThat(lastDeployed()).endsWith("rollout-example-2.0.0 deploy 2.0.0");
    JsonNode done = api.status(id);
    assertThat(done.at("/approvals/0/by").asText()).isEqualTo("alice");
    assertThat(done.at("/approvals/0/source").asText()).isEqualTo("rest");

    // 2. The next version with the same flag key, without saying it reuses it: refused at pre-flight, nothing touched.
    String flagsBefore = Files.readString(dir.resolve("flags.json"));
    String refused = api.call("POST", "/api/rollouts", start(example("1h"), "2.0.1")).body().get("id").asText();
    api.awaitStatus(refused, "state", "ROLLED_BACK");
    assertThat(api.status(refused).get("rollbackReason").asText()).isEqualTo("CaptureFlagState failed: flag new-example-flow was fully "
        + "released by rollout-example-2.0.0 (default on for everyone, retired); use a new flag key for a new feature, or set "
        + "spec.flag.reuse: true to roll this flag out again");
    assertThat(Files.readString(dir.resolve("flags.json"))).isEqualTo(flagsBefore);
    assertThat(lastDeployed()).endsWith("rollout-example-2.0.0 deploy 2.0.0");

    // 3. The same flag, reused on purpose, aborted mid-soak: idempotent start, the domain is held, then back to 2.0.0
    // with the flag exactly as 2.0.0 left it (on for everyone, retired), not off.
    String reusing = example("1h").replace("    expires: 2027-06-30\n", "    expires: 2027-06-30\n    reuse: true\n");
    Response second = api.call("POST", "/api/rollouts", start(reusing, "2.0.2"));
    assertThat(second.status()).isEqualTo(201);
    String id2 = second.body().get("id").asText();
    Response again = api.call("POST", "/api/rollouts", start(reusing, "2.0.2"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("id").asText()).isEqualTo(id2);
    Response busy = api.call("POST", "/api/rollouts", start(example("1h").replace("service: example", "service: example-other"), "9.9.9"));
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.body().get("error").asText()).isEqualTo("domain 'demo' is busy: rollout-example-2.0.2 is active");

    api.awaitStatus(id2, "phase", "SOAKING");
    assertThat(JSON.readTree(dir.resolve("flags.json").toFile()).at("/flags/new-example-flow/targeting/if/0/in/1/0").asText())
        .isEqualTo("acme-internal");
    Response nothingAwaiting = api.call("POST", "/api/rollouts/" + id2 + "/approve", by("alice"));
    assertThat(nothingAwaiting.status()).isEqualTo(409);
    assertThat(nothingAwaiting.body().get("error").asText()).isEqualTo("nothing is awaiting approval: the rollout is SOAKING");

    Response aborted = api.call("POST", "/api/rollouts/" + id2 + "/abort", JSON.createObjectNode().put("by", "sre-on-call").put("reason", "pager"));
    assertThat(aborted.status()).isEqualTo(202);
    api.awaitStatus(id2, "state", "ROLLED_BACK");

    JsonNode restored = JSON.readTree(dir.resolve("flags.json").toFile()).at("/flags/new-example-flow");
    assertThat(restored).isEqualTo(JSON.readTree(flagsBefore).at("/flags/new-example-flow"));
    assertThat(restored.get("defaultVariant").asText()).isEqualTo("on");
    assertThat(restored.at("/metadata/rolloutId").asText()).isEqualTo("rollout-example-2.0.0");
    assertThat(api.status(id2).get("rollbackSteps").toString()).contains("KillSwitch: new-example-flow off for everyone")
        .contains("RestoreFlag: new-example-flow as it was before this rollout, default on for everyone, retired");
    assertThat(lastDeployed()).endsWith("rollout-example-2.0.2 deploy 2.0.0");
    assertThat(Files.readString(dir.resolve("running-version")).strip()).isEqualTo("2.0.0");
    assertThat(api.status(id2).get("rollbackReason").asText()).isEqualTo("aborted by sre-on-call via rest: pager");

    // The history reads like the pipeline: the kill switch (a local activity, recorded as a marker) ran before the
    // previous version was redeployed.
    Response history = api.call("GET", "/api/rollouts/" + id2 + "/history", null);
    assertThat(history.status()).isEqualTo(200);
    List<String> scheduled = new java.util.ArrayList<>();
    history.body().forEach(e -> {
      String type = e.get("type").asText();
      boolean step = type.equals("activity_task_scheduled") || type.equals("marker_recorded") && e.hasNonNull("step");
      if (step && !e.get("step").asText().equals("Notify")) scheduled.add(e.get("step").asText());
    });
    assertThat(scheduled).containsExactly("CaptureFlagState", "CheckExpandSafety", "ExpandSchema", "CaptureCurrentVersion", "DeployVersion",
        "CaptureFlagState", "EnableRing", "KillSwitch", "RestoreFlag", "RedeployPrevious", "UndoExpand");

    Response list = api.call("GET", "/api/rollouts?service=example&state=ROLLED_BACK", null);
    assertThat(list.body()).hasSize(2);
    assertThat(list.body().findValuesAsText("id")).containsExactlyInAnyOrder(id2, refused);
    Response closed = api.call("POST", "/api/rollouts/" + id2 + "/resume", by("sre-on-call"));
    assertThat(closed.status()).isEqualTo(409);
  }

  @Test
  void badRequestsGetClearJsonErrorsAndStartNothing() throws Exception {
    Response invalid = api.call("POST", "/api/rollouts", start(example().replace("percent: 5", "percent: 150").replace("soak: 20s", "soak: soon"), "3.0.0"));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.body().get("error").asText()).isEqualTo("invalid rollout definition: 4 problem(s)");
    assertThat(invalid.body().get("details").toString())
        .contains("spec.rings[0].soak: 'soon' is not a duration")
        .contains("spec.rings[2].soak: 'soon' is not a duration")
        .contains("spec.rings[1].audience.percent: 150 is not within 0..100");

    assertThat(api.call("POST", "/api/rollouts", JSON.createObjectNode().put("definitionPath", "../pom.xml").put("version", "1")).status())
        .isEqualTo(400);
    Response noVersion = api.call("POST", "/api/rollouts", JSON.createObjectNode().put("definitionPath", "workflows/example.yaml"));
    assertThat(noVersion.status()).isEqualTo(400);
    assertThat(noVersion.body().get("error").asText()).startsWith("'version' is missing");
    Response unknown = api.call("GET", "/api/rollouts/rollout-nothing-1.0", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("error").asText()).isEqualTo("no rollout with id 'rollout-nothing-1.0'");
    assertThat(api.call("POST", "/api/rollouts/rollout-nothing-1.0/abort", by("sre")).status()).isEqualTo(404);
    assertThat(api.call("GET", "/api/rollouts/rollout-example-3.0.0", null).status()).isEqualTo(404);
  }
}
