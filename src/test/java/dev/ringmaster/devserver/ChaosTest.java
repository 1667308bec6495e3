package dev.ringmaster.devserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import dev.ringmaster.support.Postgres;
import dev.ringmaster.support.RingmasterProcess;
import dev.ringmaster.support.TrafficTarget;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.WorkflowReplayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos with real processes: a Temporal dev server process, one Ringmaster worker process at a time, and this test as
 * the driver. Each rollout gets a SIGKILL of its worker at a random moment of one phase — expand, deploy, enable, soak
 * (with openmetrics gates), approval wait, contract, or compensation — and a new worker process after it. The
 * adapters are the real ones that run here: Flyway on PostgreSQL (a database per rollout), the {@code command}
 * deployer (a script that takes 1.5 s), {@code flagd-file} flags, {@code openmetrics} gates on a target whose canary
 * can be made to fail. Every rollout is then checked: expected end state, each side effect exactly once, flag off and
 * previous version back after a rollback, and its history replays on the current code.
 *
 * <p>{@code -Dringmaster.chaos.rollouts=N} (default 12 in {@code mvn test}; 50 for the full run in BENCHMARKS.md, which
 * also reports the resume latency).
 */
@Timeout(3600)
class ChaosTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int ROLLOUTS = Integer.getInteger("ringmaster.chaos.rollouts", 12);
  static final List<String> PHASES = List.of("EXPANDING", "DEPLOYING", "ENABLING", "SOAKING", "AWAITING_APPROVAL", "CONTRACTING", "ROLLING_BACK");
  /** The order phases come in, to tell that the one to kill in has passed unobserved (ENABLING lasts milliseconds). */
  static final List<String> ORDER = List.of("STARTING", "EXPANDING", "DEPLOYING", "ENABLING", "SOAKING", "AWAITING_APPROVAL", "CONTRACTING");

  enum Outcome { HEALTHY, GATE_FAILURE, REJECT, ABORT }

  record Plan(int n, String killIn, Outcome outcome) {
    String id() {
      return "rollout-chaos" + n + "-1." + n + ".0";
    }

    boolean rollsBack() {
      return outcome != Outcome.HEALTHY;
    }
  }

  @TempDir Path work;
  final Random random = new Random(Long.getLong("ringmaster.chaos.seed", 20261124L));
  final List<String> failures = new ArrayList<>();
  final List<Long> resumeMillis = new ArrayList<>();
  final Map<String, Integer> killedIn = new HashMap<>();
  /** Commands answered 503 (the rollout's new worker had not taken it up yet) and sent again. */
  final java.util.concurrent.atomic.AtomicInteger askedAgain = new java.util.concurrent.atomic.AtomicInteger();
  TrafficTarget target;
  int temporalPort;
  RingmasterProcess worker;
  WorkflowClient client;

  static Plan plan(int n) {
    String phase = PHASES.get(n % PHASES.size());
    int round = n / PHASES.size();
    Outcome outcome = switch (phase) {
      case "CONTRACTING" -> Outcome.HEALTHY;
      case "ROLLING_BACK" -> List.of(Outcome.GATE_FAILURE, Outcome.REJECT, Outcome.ABORT).get(round % 3);
      case "AWAITING_APPROVAL" -> round % 2 == 0 ? Outcome.HEALTHY : Outcome.REJECT;
      default -> Outcome.values()[(round + n) % 4];
    };
    return new Plan(n, phase, outcome);
  }

  @Test
  void everyRolloutEndsRightWithEachSideEffectOnceWhateverPhaseItsWorkerIsKilledIn() throws Exception {
    assertThat(ROLLOUTS).as("a chaos run needs rollouts").isPositive();
    writeFixtures();
    temporalPort = RingmasterProcess.freePort();
    Process devServer = new ProcessBuilder(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"), DevServer.class.getName(),
        "--port", String.valueOf(temporalPort), "--pid-file", work.resolve("var/temporal-dev-server.pid").toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("dev-server.log").toFile()).start();
    WorkflowServiceStubs stubs = null;
    try (TrafficTarget traffic = new TrafficTarget()) {
      target = traffic;
      for (int i = 0; i < ROLLOUTS; i++) Postgres.execute(Postgres.server().getPostgresDatabase(), "CREATE DATABASE chaos_" + i);
      worker = startWorker();
      stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build());
      client = WorkflowClient.newInstance(stubs);
      for (int i = 0; i < ROLLOUTS; i++) run(plan(i));
    } finally {
      if (worker != null) worker.close();
      if (stubs != null) stubs.shutdownNow();
      devServer.destroyForcibly();
    }
    report();
    assertThat(failures).as("broken invariants").isEmpty();
    assertThat(resumeMillis).as("every rollout was interrupted and resumed").hasSize(ROLLOUTS);
  }

  private void run(Plan plan) throws Exception {
    target.reset();
    String id = plan.id();
    String previous = Files.readString(work.resolve("running-version")).strip();
    RingmasterProcess.Answer started = call("POST", "/api/rollouts", JSON.createObjectNode().put("definition", definition(plan.n()))
        .put("version", "1." + plan.n() + ".0").put("triggeredBy", "ci"));
    if (started.status() != 201) {
      failures.add(id + ": start answered " + started.status() + " " + started.body());
      return;
    }
    boolean killed = false;
    boolean acted = false;
    boolean decided = false;
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    JsonNode s;
    while (true) {
      s = status(id);
      String phase = s == null ? "STARTING" : s.path("phase").asText();
      String state = s == null ? "RUNNING" : s.path("state").asText();
      if (state.equals("SUCCEEDED") || state.equals("ROLLED_BACK")) break;
      if (System.nanoTime() > deadline) {
        failures.add(id + ": stuck in " + phase + " (" + state + "): " + (s == null ? "" : s.path("message").asText()));
        return;
      }
      if (!killed && due(plan, phase)) {
        Thread.sleep(random.nextInt(400));
        if (phase.equals("AWAITING_APPROVAL") && !decided) {
          // Nothing runs while a rollout waits for a human: its progress on the new worker starts with the decision.
          decided = true;
          killAndResume(id, phase, () -> decide(id, plan));
        } else {
          killAndResume(id, phase, () -> {});
        }
        killed = true;
        continue;
      }
      // What the driver does in a phase waits until the worker was killed there (the kill comes first).
      boolean mayAct = killed || !plan.killIn().equals(phase);
      if (!acted && mayAct && phase.equals("SOAKING") && s.path("currentRing").asInt() == 0) {
        if (plan.outcome() == Outcome.GATE_FAILURE) {
          target.injectErrorsOn(0.6);
          acted = true;
        } else if (plan.outcome() == Outcome.ABORT) {
          command(id, "abort", JSON.createObjectNode().put("by", "sre-on-call").put("reason", "chaos"));
          acted = true;
        }
      }
      if (!decided && mayAct && phase.equals("AWAITING_APPROVAL") && s.path("awaiting").isTextual()) {
        decided = true;
        decide(id, plan);
      }
      Thread.sleep(50);
    }
    if (!killed) {
      // The phase to kill in never showed before the end (it lasted less than one poll): the worker dies now instead.
      killAndResume(id, "after the end", () -> {});
    }
    check(plan, s, previous);
  }

  /** The planned phase, or (for one that lasts milliseconds) the first phase after it. */
  private static boolean due(Plan plan, String phase) {
    if (plan.killIn().equals("ROLLING_BACK")) return phase.equals("ROLLING_BACK");
    int at = ORDER.indexOf(phase);
    return phase.equals(plan.killIn()) || at > ORDER.indexOf(plan.killIn()) && at >= 0;
  }

  private void decide(String id, Plan plan) {
    try {
      String decision = plan.outcome() == Outcome.REJECT ? "reject" : "approve";
      command(id, decision, JSON.createObjectNode().put("by", "alice").put("comment", "chaos"));
    } catch (Exception e) {
      failures.add(id + ": could not send the decision: " + e);
    }
  }

  /**
   * A command as a client should send it: a 503 (the rollout exists but its new worker has not taken it up yet) is
   * asked again, as its Retry-After says; any other refusal is a failure of the run, not a decision lost in silence.
   */
  private void command(String id, String action, Object body) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      RingmasterProcess.Answer a = call("POST", "/api/rollouts/" + id + "/" + action, body);
      if (a.status() / 100 == 2) return;
      if (a.status() != 503 || System.nanoTime() > deadline) {
        failures.add(id + ": " + action + " answered " + a.status() + ": " + a.body());
        return;
      }
      askedAgain.incrementAndGet();
      Thread.sleep(1_000);
    }
  }

  private void killAndResume(String id, String phase, Runnable afterReady) throws Exception {
    worker.kill();
    killedIn.merge(phase, 1, Integer::sum);
    worker = startWorker();
    long ready = System.currentTimeMillis();
    afterReady.run();
    String identity = worker.pid() + "@";
    long deadline = ready + 120_000;
    while (System.currentTimeMillis() < deadline) {
      if (progressedOn(id, identity, ready)) {
        resumeMillis.add(System.currentTimeMillis() - ready);
        return;
      }
      Thread.sleep(100);
    }
    failures.add(id + ": no progress on the new worker within 120 s of it being ready (killed in " + phase + ")");
  }

  /** A workflow task or activity of the rollout picked up by the new worker, or the rollout already closed. */
  private boolean progressedOn(String id, String identity, long since) {
    var d = client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
        .setNamespace("default").setExecution(WorkflowExecution.newBuilder().setWorkflowId(id)).build());
    if (d.getWorkflowExecutionInfo().hasCloseTime()) return true;
    if (d.getPendingActivitiesList().stream().anyMatch(a -> a.getLastWorkerIdentity().startsWith(identity))) return true;
    for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
      if (e.getEventTime().getSeconds() * 1000 < since - 1000) continue;
      if (e.hasWorkflowTaskStartedEventAttributes() && e.getWorkflowTaskStartedEventAttributes().getIdentity().startsWith(identity)) return true;
      if (e.hasActivityTaskStartedEventAttributes() && e.getActivityTaskStartedEventAttributes().getIdentity().startsWith(identity)) return true;
    }
    return false;
  }

  private void check(Plan plan, JsonNode s, String previous) throws Exception {
    String id = plan.id();
    String version = "1." + plan.n() + ".0";
    String expected = plan.rollsBack() ? "ROLLED_BACK" : "SUCCEEDED";
    expect(id, "end state", s.path("state").asText(), expected);
    List<String> deploys = Files.readAllLines(work.resolve("deploy.log")).stream().filter(l -> l.contains(" " + id + " ")).map(l -> l.substring(l.indexOf(id))).toList();
    List<String> wantDeploys = plan.rollsBack() ? List.of(id + " deploy " + version, id + " deploy " + previous) : List.of(id + " deploy " + version);
    expect(id, "deploys (each once)", deploys, wantDeploys);
    expect(id, "running version", Files.readString(work.resolve("running-version")).strip(), plan.rollsBack() ? previous : version);
    DataSource db = Postgres.dataSource("chaos_" + plan.n());
    List<String> expanded = Postgres.strings(db, "SELECT version FROM flyway_schema_history WHERE installed_by = '" + id + "' AND success ORDER BY installed_rank");
    expect(id, "expand migrations applied by this rollout", expanded, plan.rollsBack() ? List.of() : List.of("1", "2"));
    boolean contractTable = !Postgres.strings(db, "SELECT to_regclass('flyway_schema_history_contract')::text").stream().allMatch(v -> v == null);
    List<String> contracted = contractTable
        ? Postgres.strings(db, "SELECT version FROM flyway_schema_history_contract WHERE success AND type <> 'BASELINE' ORDER BY installed_rank") : List.of();
    expect(id, "contract migrations", contracted, plan.rollsBack() ? List.of() : List.of("1"));
    expect(id, "columns of items", Postgres.columns(db, "items"), plan.rollsBack() ? List.of() : List.of("id", "label"));
    JsonNode flag = JSON.readTree(work.resolve("flags.json").toFile()).path("flags").path("chaos-flag-" + plan.n());
    expect(id, "flag default variant", flag.path("defaultVariant").asText(), plan.rollsBack() ? "off" : "on");
    expect(id, "flag targeting (none after a rollback or retirement)", flag.has("targeting"), false);
    try {
      WorkflowReplayer.replayWorkflowExecution(client.fetchHistory(id), RolloutWorkflowImpl.class);
    } catch (Exception e) {
      failures.add(id + ": its history does not replay on the current code: " + e);
    }
  }

  private void expect(String id, String what, Object actual, Object expected) {
    if (!expected.equals(actual)) failures.add(id + ": " + what + " is " + actual + ", expected " + expected);
  }

  private JsonNode status(String id) throws Exception {
    try {
      RingmasterProcess.Answer a = call("GET", "/api/rollouts/" + id, null);
      return a.status() == 200 ? a.body() : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private RingmasterProcess.Answer call(String method, String path, Object body) throws Exception {
    return worker.call(method, path, body);
  }

  private RingmasterProcess startWorker() throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("ringmaster.temporal.embedded-port", String.valueOf(temporalPort));
    props.put("ringmaster.min-soak-with-migration", "1s");
    props.put("ringmaster.workflows-dir", work.toString()); // the migrations below are relative to it
    props.put("ringmaster.connections.flags.kind", "flagd-file");
    props.put("ringmaster.connections.flags.path", work.resolve("flags.json").toString());
    props.put("ringmaster.connections.deploy.kind", "command");
    props.put("ringmaster.connections.deploy.deploy", "RINGMASTER_LOCAL_DIR=" + work + " sh " + work.resolve("deploy.sh") + " {version}");
    props.put("ringmaster.connections.deploy.current-version", "cat " + work.resolve("running-version"));
    props.put("ringmaster.connections.scrape.kind", "openmetrics");
    props.put("ringmaster.connections.scrape.url", target.metricsUrl());
    props.put("ringmaster.connections.scrape.window", "1s");
    for (int i = 0; i < ROLLOUTS; i++) {
      props.put("ringmaster.connections.db-" + i + ".kind", "flyway");
      props.put("ringmaster.connections.db-" + i + ".url", Postgres.url("chaos_" + i));
      props.put("ringmaster.connections.db-" + i + ".username", "postgres");
    }
    RingmasterProcess p = RingmasterProcess.start(work, props);
    return p.awaitReady(Duration.ofSeconds(120));
  }

  private String definition(int n) {
    String m = "migrations";
    return """
        apiVersion: ringmaster/v1
        kind: Rollout
        metadata: { service: chaos%1$d, domain: chaos%1$d, owner: team-chaos }
        spec:
          flag: { key: chaos-flag-%1$d, connection: flags }
          migration: { connection: db-%1$d, expand: %2$s/expand, contract: %2$s/contract, undo: %2$s/undo }
          deploy: { connection: deploy }
          analysis:
            connection: scrape
            interval: 2s
            failureLimit: 1
            inconclusiveLimit: 10
            minSamples: 10
            metrics:
              - name: error-rate
                canary: ratio(http_requests_total{flag="on",code=~"5.."}, http_requests_total{flag="on"})
                control: ratio(http_requests_total{flag="off",code=~"5.."}, http_requests_total{flag="off"})
                samples: increase(http_requests_total{flag="on"})
                failIf: canary > control + 0.2
          rings:
            - name: internal
              audience: { tenants: [acme-internal] }
              soak: 5s
            - name: everyone
              audience: { percent: 100 }
              soak: 3s
              approval: { approvers: [alice], quorum: 1, timeout: 1h, onTimeout: rollback }
        """.formatted(n, m);
  }

  private void writeFixtures() throws Exception {
    Path m = work.resolve("migrations");
    Files.createDirectories(m.resolve("expand"));
    Files.createDirectories(m.resolve("undo"));
    Files.createDirectories(m.resolve("contract"));
    Files.writeString(m.resolve("expand/V1__items.sql"), "CREATE TABLE items (id int PRIMARY KEY, name text);\nSELECT pg_sleep(1.5);\n");
    Files.writeString(m.resolve("expand/V2__label.sql"), "ALTER TABLE items ADD COLUMN label text;\n");
    Files.writeString(m.resolve("undo/U2__label.sql"), "SELECT pg_sleep(1.5);\nALTER TABLE items DROP COLUMN label;\n");
    Files.writeString(m.resolve("undo/U1__items.sql"), "DROP TABLE items;\n");
    Files.writeString(m.resolve("contract/V1__drop_name.sql"), "SELECT pg_sleep(1.5);\nALTER TABLE items DROP COLUMN name;\n");
    // A deploy that takes 1.5 s, records the running version, then logs: "<time> <rollout> deploy <version>".
    Files.writeString(work.resolve("deploy.sh"), """
        set -eu
        sleep 1.5
        printf '%s\\n' "$1" > "$RINGMASTER_LOCAL_DIR/running-version.tmp" && mv "$RINGMASTER_LOCAL_DIR/running-version.tmp" "$RINGMASTER_LOCAL_DIR/running-version"
        echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $RINGMASTER_ROLLOUT_ID deploy $1" >> "$RINGMASTER_LOCAL_DIR/deploy.log"
        """);
    Files.writeString(work.resolve("running-version"), "0.9.0\n");
    Files.writeString(work.resolve("deploy.log"), "");
  }

  private void report() throws Exception {
    List<Long> sorted = resumeMillis.stream().sorted().toList();
    String line = sorted.isEmpty() ? "no resumes" : "rollouts " + ROLLOUTS + ", resume latency p50 " + sorted.get(sorted.size() / 2) + " ms, p99 "
        + sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) + " ms, max " + sorted.get(sorted.size() - 1)
        + " ms; kills by phase " + killedIn + "; commands asked again after a 503: " + askedAgain;
    System.out.println("CHAOS: " + line);
    Path out = Path.of("target/benchmarks/chaos.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, line + "\n" + (failures.isEmpty() ? "" : String.join("\n", failures)) + "\n");
  }
}
