package dev.ringmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.api.RestApi;
import dev.ringmaster.support.RingmasterProcess;
import dev.ringmaster.support.TestTokens;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TrafficTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real CLI, as its own OS process ({@code java -cp … dev.ringmaster.cli.RingmasterCli}, and once through
 * {@code bin/ringmaster}), against the real app: every exit code, progress lines, {@code --output json}.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CliEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static final TrafficTarget TRAFFIC = new TrafficTarget();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
    r.add("ringmaster.auth.tokens.auditor.identity", () -> "auditor");
    r.add("ringmaster.auth.tokens.auditor.hash", () -> dev.ringmaster.auth.ApiTokens.hash(TestTokens.tokenOf("auditor")));
    r.add("ringmaster.auth.tokens.auditor.roles", () -> "read");
    r.add("ringmaster.connections.scrape.kind", () -> "openmetrics");
    r.add("ringmaster.connections.scrape.url", TRAFFIC::metricsUrl);
    r.add("ringmaster.connections.scrape.window", () -> "2s");
    r.add("ringmaster.connections.scrape.timeout", () -> "2s");
    // Deploys the new version (2.x) and cannot run the previous one: the rollback's redeploy fails for good.
    r.add("ringmaster.connections.one-way-deploy.kind", () -> "command");
    r.add("ringmaster.connections.one-way-deploy.deploy", () -> "case {version} in 2.*) exit 0;; *) echo 'no such image'; exit 127;; esac");
    r.add("ringmaster.connections.one-way-deploy.current-version", () -> "echo 1.0.0");
  }

  @AfterAll
  static void stopTraffic() {
    TRAFFIC.close();
  }

  record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  /** The CLI as a process, with the URL and the token of {@code identity} (null: none) in its environment. */
  Process launch(String identity, String... args) throws IOException {
    return launch(List.of(RingmasterProcess.java(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), RingmasterCli.class.getName()), identity, args);
  }

  Process launch(List<String> program, String identity, String... args) throws IOException {
    List<String> command = new ArrayList<>(program);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile());
    pb.environment().put("RINGMASTER_URL", "http://127.0.0.1:" + port);
    pb.environment().remove("RINGMASTER_TOKEN");
    if (identity != null) pb.environment().put("RINGMASTER_TOKEN", TestTokens.tokenOf(identity));
    pb.environment().put("RINGMASTER_CLASSPATH", System.getProperty("java.class.path"));
    return pb.start();
  }

  static Run finish(Process p, Duration within) throws Exception {
    CompletableFuture<String> out = read(p.getInputStream());
    CompletableFuture<String> err = read(p.getErrorStream());
    if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the CLI did not exit within " + within + "; output so far:\n" + out.getNow("") + err.getNow(""));
    }
    return new Run(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
  }

  Run cli(String identity, String... args) throws Exception {
    return finish(launch(identity, args), Duration.ofSeconds(120));
  }

  static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    });
  }

  /** A definition file in the test directory. */
  static String definition(String service, String flag, String deploy, String analysis, String rings) throws IOException {
    String yaml = """
        apiVersion: ringmaster/v1
        kind: Rollout
        metadata: { service: %s, domain: %s, owner: team-cli }
        spec:
          flag: { key: %s, connection: local-flags }
          deploy: { connection: %s }
        %s  rings:
        %s""".formatted(service, service, flag, deploy, analysis == null ? "" : analysis.stripIndent().indent(2), rings.stripIndent().indent(4));
    Path f = dir.resolve(service + ".yaml");
    Files.writeString(f, yaml);
    return f.toString();
  }

  static final String TWO_FAST_RINGS = """
      - { name: internal, audience: { tenants: [acme-internal] }, soak: 1s }
      - { name: everyone, audience: { percent: 100 }, soak: 1s }
      """;
  static final String APPROVAL_RING = """
      - { name: internal, audience: { tenants: [acme-internal] }, soak: 1s }
      - name: canary
        audience: { percent: 5 }
        soak: 1s
        approval: { approvers: [alice, bob], quorum: 1, timeout: 1h, onTimeout: rollback }
      - { name: everyone, audience: { percent: 100 }, soak: 1s }
      """;

  @Test
  void startWaitExitsZeroOnSuccessStreamsProgressAndAttachesWhenRunAgain() throws Exception {
    String def = definition("example-cli-fast", "cli-fast-flag", "local-deploy", null, TWO_FAST_RINGS);
    Run run = cli("ci-bot", "start", def, "--version", "1.0.0", "--commit", "abc123", "--ci-url", "https://ci.example/run/7", "--wait", "--poll", "200ms");

    assertThat(run.exit()).as(run.toString()).isEqualTo(0);
    assertThat(run.lines().get(0)).isEqualTo("rollout-example-cli-fast-1.0.0 RUNNING — http://127.0.0.1:" + port + "/api/rollouts/rollout-example-cli-fast-1.0.0");
    assertThat(run.out()).contains("rollout-example-cli-fast-1.0.0: ring internal soaking (audience: tenants [acme-internal])")
        .contains("rollout-example-cli-fast-1.0.0: ring everyone");
    assertThat(run.lines().get(run.lines().size() - 1)).startsWith("rollout-example-cli-fast-1.0.0: SUCCEEDED — 1.0.0 is everyone's");

    JsonNode status = JSON.readTree(cli("reader", "status", "rollout-example-cli-fast-1.0.0", "-o", "json").out());
    assertThat(status.get("triggeredBy").asText()).isEqualTo("ci-bot");
    assertThat(status.get("triggeredVia").asText()).isEqualTo("cli");

    // A retried CI job: the same start attaches to the same rollout and exits by its state.
    Run again = cli("ci-bot", "start", def, "--version", "1.0.0", "--wait");
    assertThat(again.exit()).as(again.toString()).isEqualTo(0);
    assertThat(again.lines().get(0)).startsWith("rollout-example-cli-fast-1.0.0 SUCCEEDED");
  }

  @Test
  void aWrongUntilIsRefusedBeforeAnythingStarts() throws Exception {
    Run refused = cli("ci-bot", "start", "workflows/example.yaml", "--version", "9.9.9", "--wait", "--until", "AWAITNG");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(4);
    assertThat(refused.err()).contains("--until AWAITNG is not a phase or state").contains("AWAITING_APPROVAL");
    assertThat(cli("reader", "list", "--service", "example").out()).doesNotContain("9.9.9");
  }

  @Test
  void aFailingGateRollsBackWithExitOneAndTheLinesNameTheGateAndItsValue() throws Exception {
    String analysis = TestDefinitions.errorRateGate(12);
    String def = definition("example-cli-gate", "cli-gate-flag", "local-deploy", analysis, """
        - { name: canary, audience: { percent: 5 }, soak: 60s }
        - { name: everyone, audience: { percent: 100 }, soak: 1s }
        """);
    TRAFFIC.injectErrorsOn(0.5);
    try {
      Run run = cli("ci-bot", "start", def, "--version", "1.0.0", "--wait", "--poll", "300ms");

      assertThat(run.exit()).as(run.toString()).isEqualTo(1);
      // Measurements show while the soak runs (from the soak's heartbeats), not only with the verdict.
      List<String> gates = run.lines().stream().filter(l -> l.startsWith("rollout-example-cli-gate-1.0.0: gate ring canary #")).toList();
      assertThat(gates).hasSizeGreaterThanOrEqualTo(2).allSatisfy(l -> assertThat(l)
          .containsPattern("#\\d+( \\(\\+\\d+ since the last line\\))?: FAILED; error-rate canary=0\\.[45]\\d* control=0 samples=\\d+ failIf canary > control \\+ 0\\.05 → FAILED"));
      assertThat(gates.get(gates.size() - 1)).contains("#12");
      assertThat(run.out()).contains("rollout-example-cli-gate-1.0.0: rolling back: ").contains("error-rate");
      assertThat(run.out()).containsPattern("rollback step 1: .*KillSwitch");
      assertThat(run.lines().get(run.lines().size() - 1)).startsWith("rollout-example-cli-gate-1.0.0: ROLLED_BACK — ").contains("error-rate");
    } finally {
      TRAFFIC.reset();
    }
  }

  @Test
  void timeoutWhileAwaitingApprovalExitsThreeThenAbortAndWatchAsJsonExitOne() throws Exception {
    String def = definition("example-cli-wait", "cli-wait-flag", "local-deploy", null, APPROVAL_RING);
    Run waiting = cli("ci-bot", "start", def, "--version", "1.0.0", "--wait", "--timeout", "4s", "--poll", "200ms");

    assertThat(waiting.exit()).as(waiting.toString()).isEqualTo(3);
    assertThat(waiting.out()).contains("rollout-example-cli-wait-1.0.0: awaiting approval of canary from alice, bob (ringmaster approve rollout-example-cli-wait-1.0.0)");
    assertThat(waiting.err()).contains("rollout-example-cli-wait-1.0.0 is still RUNNING (AWAITING_APPROVAL) after PT4S: it waits for a human; the rollout goes on");

    // Ctrl-C (SIGINT) stops the waiting, never the rollout, and says so.
    Process interrupted = launch("ci-bot", "start", def, "--version", "1.0.0", "--wait", "--poll", "200ms");
    CompletableFuture<String> interruptedErr = read(interrupted.getErrorStream());
    CompletableFuture<String> interruptedOut = read(interrupted.getInputStream());
    Thread.sleep(1500);
    assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(interrupted.pid())).start().waitFor()).isZero();
    assertThat(interrupted.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(interruptedErr.get(5, TimeUnit.SECONDS)).as(interruptedOut.getNow(""))
        .contains("stopped watching rollout-example-cli-wait-1.0.0; the rollout goes on (ringmaster abort rollout-example-cli-wait-1.0.0 stops it)");
    assertThat(JSON.readTree(cli("reader", "status", "rollout-example-cli-wait-1.0.0", "-o", "json").out()).get("phase").asText()).isEqualTo("AWAITING_APPROVAL");

    Process watch = launch("reader", "watch", "rollout-example-cli-wait-1.0.0", "--output", "json", "--poll", "200ms");
    Run abort = cli("sre-on-call", "abort", "rollout-example-cli-wait-1.0.0", "--reason", "pager");
    assertThat(abort.exit()).as(abort.toString()).isEqualTo(0);
    assertThat(abort.out()).startsWith("rollout-example-cli-wait-1.0.0: abort accepted");
    Run watched = finish(watch, Duration.ofSeconds(60));

    assertThat(watched.exit()).as(watched.toString()).isEqualTo(1);
    List<JsonNode> events = new ArrayList<>();
    for (String line : watched.lines()) events.add(JSON.readTree(line)); // every line is a JSON object
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(last.get("exitCode").asInt()).isEqualTo(1);
    assertThat(last.get("rollbackReason").asText()).isEqualTo("aborted by sre-on-call via cli: pager");
    assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> {
      assertThat(e.get("rollout").asText()).isEqualTo("rollout-example-cli-wait-1.0.0");
      assertThat(e.get("event").asText()).isIn("phase", "ring", "measurement", "verdict", "approval-awaited", "approval", "rollback", "rollback-step");
    });
    assertThat(events).anySatisfy(e -> assertThat(e.path("event").asText()).isEqualTo("rollback-step"));
  }

  @Test
  void aRollbackThatCannotRedeployExitsTwoAndRejectAndWatchWork() throws Exception {
    String def = definition("example-cli-oneway", "cli-oneway-flag", "one-way-deploy", null, APPROVAL_RING);
    Run started = cli("ci-bot", "start", def, "--version", "2.0.0");
    assertThat(started.exit()).as(started.toString()).isEqualTo(0);
    String id = "rollout-example-cli-oneway-2.0.0";

    // The triggerer may not approve; a token without the role may not either: refused, exit 4, nothing changes.
    awaitPhase(id, "AWAITING_APPROVAL");
    Run self = cli("ci-bot", "approve", id);
    assertThat(self.exit()).as(self.toString()).isEqualTo(4);
    assertThat(self.err()).contains("refused (403)").contains("ci-bot is not an approver for 'canary'");
    Run reader = cli("auditor", "approve", id);
    assertThat(reader.exit()).as(reader.toString()).isEqualTo(4);
    assertThat(reader.err()).contains("refused (403)").contains("the role 'approve' is missing");

    Run reject = cli("alice", "reject", id, "--comment", "not today");
    assertThat(reject.exit()).as(reject.toString()).isEqualTo(0);
    assertThat(reject.out()).contains(id + ": canary rejected");

    Run watched = cli("reader", "watch", id, "--poll", "200ms");
    assertThat(watched.exit()).as(watched.toString()).isEqualTo(2);
    assertThat(watched.out()).contains("canary rejected by alice via cli: not today");
    assertThat(watched.out()).containsSubsequence("canary rejected by alice via cli: not today", "rolling back: 'canary' rejected by alice: not today",
        "rollback step 1: KillSwitch", "phase FAILED: rollback failed: RedeployPrevious failed: connection 'one-way-deploy'");
    assertThat(watched.lines().get(watched.lines().size() - 1)).startsWith(id + ": FAILED — rollback failed: RedeployPrevious failed")
        .contains("could not run (exit 127").contains("retry");
  }

  @Test
  void refusalsExitFourAndAnUnreachableServerExitsFive() throws Exception {
    Path invalid = dir.resolve("invalid.yaml");
    Files.writeString(invalid, "apiVersion: ringmaster/v1\nkind: Rollout\nmetadata: { service: cli-bad }\nspec: {}\n");
    Run bad = cli("ci-bot", "start", invalid.toString(), "--version", "1.0.0", "--wait");
    assertThat(bad.exit()).as(bad.toString()).isEqualTo(4);
    assertThat(bad.err()).startsWith("ringmaster: refused (400): ").contains("metadata.domain");

    Run noFile = cli("ci-bot", "start", dir.resolve("missing.yaml").toString(), "--version", "1.0.0");
    assertThat(noFile.exit()).isEqualTo(4);
    assertThat(noFile.err()).contains("missing.yaml is not a file");

    Run noToken = cli(null, "list", "--token-file", dir.resolve("no-such-token").toString());
    assertThat(noToken.exit()).as(noToken.toString()).isEqualTo(4);
    assertThat(noToken.err()).contains("refused (401): authentication required");

    Run wrongToken = cli(null, "list", "--token", "rm_not-a-token");
    assertThat(wrongToken.exit()).isEqualTo(4);
    assertThat(wrongToken.err()).contains("refused (401): invalid token");

    Run unknown = cli("reader", "status", "rollout-nope-1.0.0");
    assertThat(unknown.exit()).isEqualTo(4);
    assertThat(unknown.err()).contains("refused (404)");

    Run json = cli("reader", "status", "rollout-nope-1.0.0", "-o", "json");
    assertThat(json.exit()).isEqualTo(4);
    assertThat(JSON.readTree(json.out()).get("error").asText()).contains("rollout-nope-1.0.0");

    Run badOption = cli("reader", "start");
    assertThat(badOption.exit()).isEqualTo(4);
    assertThat(badOption.err()).contains("Missing required");

    Run down = cli("reader", "list", "--url", "http://127.0.0.1:1");
    assertThat(down.exit()).isEqualTo(5);
    assertThat(down.err()).contains("Ringmaster at http://127.0.0.1:1 is unreachable");
  }

  /**
   * A 503 with Retry-After (the rollout exists, its new worker has not taken it up yet; nothing was changed) is sent
   * again by the CLI, a few times; a server that keeps answering 503 is "unreachable" (exit 5). A local HTTP server
   * stands in for Ringmaster here: a real one answers this only in the seconds after a worker crash (ChaosTest).
   */
  @Test
  void aDecisionAnsweredFiveOhThreeWithRetryAfterIsSentAgain() throws Exception {
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger busyFor = new java.util.concurrent.atomic.AtomicInteger(2);
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/rollouts/rollout-taken-over-1.0.0/approve", exchange -> {
      asked.incrementAndGet();
      byte[] body;
      if (busyFor.getAndDecrement() > 0) {
        body = "{\"error\":\"rollout rollout-taken-over-1.0.0 exists, but its status could not be read just now\",\"details\":[]}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Retry-After", "1");
        exchange.sendResponseHeaders(503, body.length);
      } else {
        body = "{\"gate\":\"canary\",\"decision\":\"APPROVED\",\"approvals\":1,\"quorum\":1,\"message\":\"quorum reached\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
      }
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      Run approved = cli("alice", "approve", "rollout-taken-over-1.0.0", "--url", url);
      assertThat(approved.exit()).as(approved.toString()).isZero();
      assertThat(approved.out()).contains("canary approved — quorum reached");
      assertThat(asked.get()).as("twice 503, then the answer").isEqualTo(3);

      asked.set(0);
      busyFor.set(100);
      Run busy = cli("alice", "approve", "rollout-taken-over-1.0.0", "--url", url);
      assertThat(busy.exit()).as(busy.toString()).isEqualTo(5);
      assertThat(busy.err()).contains("answers 503").contains("could not be read just now");
      assertThat(asked.get()).as("the first call and three more").isEqualTo(4);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theAdminTokenFileIsUsedWhenNoTokenIsGiven() throws Exception {
    Run run = cli(null, "list", "--token-file", dir.resolve("admin-token").toString(), "-o", "json");
    assertThat(run.exit()).as(run.toString()).isEqualTo(0);
    assertThat(JSON.readTree(run.out()).isArray()).isTrue();
  }

  @Test
  void theLauncherScriptAndTheJarsCliEntryRunTheSameCli() throws Exception {
    Run viaScript = finish(launch(List.of("sh", "bin/ringmaster"), "reader", "list", "--state", "succeeded"), Duration.ofSeconds(60));
    assertThat(viaScript.exit()).as(viaScript.toString()).isEqualTo(0);

    Run viaMain = finish(launch(List.of(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"), "dev.ringmaster.RingmasterApplication", "cli"),
        "reader", "status", "rollout-none-1.0.0"), Duration.ofSeconds(60));
    assertThat(viaMain.exit()).as(viaMain.toString()).isEqualTo(4);
    assertThat(viaMain.err()).contains("refused (404)");
    assertThat(viaMain.out()).doesNotContain("Spring"); // no server was started
  }

  /** The CI examples' rollout script, run by bash as the CI runner would, with the real CLI on the PATH. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"github-actions.yml", "gitlab-ci.yml"})
  void theCiExamplesPassOnAReleaseAndFailThePipelineOnARollback(String example) throws Exception {
    String script = ciScript(example);
    assertThat(script).contains("ringmaster start deploy/rollout.yaml").contains("--wait");
    String service = example.startsWith("github") ? "example-gh" : "example-gl";
    Path repo = Files.createDirectories(dir.resolve(service + "-repo/deploy"));
    Path bin = Files.createDirectories(dir.resolve(service + "-bin"));
    Files.writeString(bin.resolve("ringmaster"), "#!/bin/sh\nexec sh '" + Path.of("bin/ringmaster").toAbsolutePath() + "' \"$@\"\n");
    bin.resolve("ringmaster").toFile().setExecutable(true);

    Files.copy(Path.of(definition(service, service + "-flag", "local-deploy", null, TWO_FAST_RINGS)), repo.resolve("rollout.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Run released = runCi(script, repo.getParent(), bin, "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0");
    assertThat(released.exit()).as(released.toString()).isEqualTo(0);
    assertThat(released.out()).contains("released: every ring enabled").contains(": SUCCEEDED");

    Files.copy(Path.of(definition(service, service + "-flag-2", "local-deploy", TestDefinitions.errorRateGate(2), """
        - { name: canary, audience: { percent: 5 }, soak: 60s }
        - { name: everyone, audience: { percent: 100 }, soak: 1s }
        """)), repo.resolve("rollout.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    TRAFFIC.injectErrorsOn(0.5);
    try {
      Run rolledBack = runCi(script, repo.getParent(), bin, "0f9e8d7c6b5a0f9e8d7c6b5a0f9e8d7c6b5a0f9e");
      assertThat(rolledBack.exit()).as(rolledBack.toString()).isEqualTo(1);
      assertThat(rolledBack.out()).contains("rolled this release back").contains(": ROLLED_BACK — gates FAILED in ring canary").contains("error-rate");
    } finally {
      TRAFFIC.reset();
    }
  }

  /** The shell script of the example's rollout step (GitHub Actions: the "Roll out" step; GitLab: the job's script). */
  @SuppressWarnings("unchecked")
  static String ciScript(String example) throws IOException {
    Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of("examples", example)));
    if (example.startsWith("github")) {
      Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) yaml.get("jobs")).get("rollout");
      Map<String, Object> step = ((List<Map<String, Object>>) job.get("steps")).stream().filter(s -> "Roll out".equals(s.get("name"))).findFirst().orElseThrow();
      Map<String, Object> env = (Map<String, Object>) step.get("env");
      assertThat(env.get("RINGMASTER_TOKEN")).isEqualTo("${{ secrets.RINGMASTER_TOKEN }}"); // from a secret, never written down
      return (String) step.get("run");
    }
    Map<String, Object> job = (Map<String, Object>) yaml.get("rollout");
    assertThat(job.get("variables")).isNull(); // the token comes from a masked CI/CD variable
    return String.join("\n", (List<String>) job.get("script"));
  }

  Run runCi(String script, Path repo, Path bin, String sha) throws Exception {
    Path file = Files.writeString(repo.resolve("ci-step-" + sha + ".sh"), script);
    ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString()).directory(repo.toFile());
    Map<String, String> env = pb.environment();
    env.put("PATH", bin + ":" + env.get("PATH"));
    env.put("RINGMASTER_CLASSPATH", System.getProperty("java.class.path"));
    env.put("RINGMASTER_URL", "http://127.0.0.1:" + port);
    env.put("RINGMASTER_TOKEN", TestTokens.tokenOf("ci-bot"));
    env.putAll(Map.of("GITHUB_SHA", sha, "GITHUB_SERVER_URL", "https://github.example", "GITHUB_REPOSITORY", "team/checkout", "GITHUB_RUN_ID", "42",
        "CI_COMMIT_SHA", sha, "CI_COMMIT_SHORT_SHA", sha.substring(0, 8), "CI_JOB_URL", "https://gitlab.example/team/checkout/-/jobs/42"));
    return finish(pb.start(), Duration.ofSeconds(120));
  }

  void awaitPhase(String id, String phase) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      Run s = cli("reader", "status", id, "-o", "json");
      if (s.exit() == 0) {
        seen = JSON.readTree(s.out()).path("phase").asText();
        if (seen.equals(phase)) return;
      }
      Thread.sleep(300);
    }
    throw new AssertionError(id + " never reached " + phase + "; last seen " + seen);
  }
}
