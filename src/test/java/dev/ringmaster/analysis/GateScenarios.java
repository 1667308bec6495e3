package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ringmaster.analysis.openmetrics.OpenMetricsSourceFactory;
import dev.ringmaster.analysis.prometheus.PrometheusSourceFactory;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.TrafficTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metric-gate scenarios, run against each metric source over the same controlled service: healthy traffic
 * passes, 5xx for {@code flag="on"} only fails (and rolls a soaking rollout back), no traffic is inconclusive
 * (and pauses it), the source going away mid-soak is ERROR (counted toward failureLimit: rolled back). Tripwires: a
 * spike rolls back before the first 30 s interval ends, one noisy point under the consecutive count does not, too
 * little traffic is inconclusive. Measurements and soaks run in real time.
 */
@Timeout(180)
abstract class GateScenarios {
  @RegisterExtension
  static final TestWorkflowExtension temporal = TemporalTests.rolloutExtension();

  static TrafficTarget target;

  private final FakeActivities activities = new FakeActivities();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private Worker worker;

  /** The connection name in {@link TestDefinitions#CONNECTIONS} and its settings now. */
  abstract String connection();

  abstract Map<String, String> settings();

  /** The analysis block's metrics: error rate (with samples) and p99 latency, in this source's query language. */
  abstract String metrics();

  /**
   * The {@code tripwires} list: {@code error-spike}, the canary's error ratio over about the last second, its samples,
   * {@code failIf: canary > 0.2}, {@code minSamples: 20} and this {@code consecutive} count.
   */
  abstract String tripwire(int consecutive);

  /** A query the source refuses at pre-flight, and the message it gives. */
  abstract String brokenQuery();

  abstract String brokenQueryMessage();

  /** Takes the source away (Prometheus stopped, the endpoint down); {@link #restoreSource()} brings it back. */
  abstract void stopSource() throws Exception;

  abstract void restoreSource() throws Exception;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    target.reset();
    this.env = env;
    this.client = client;
    this.worker = worker;
  }

  AnalysisActivitiesImpl analysisActivities() {
    ConnectionRegistry registry = new ConnectionRegistry(Map.of(connection(), settings()));
    // the soak's watcher pulls the kill switch at a FAILED verdict, as in Ringmaster (the flags are test doubles)
    return new AnalysisActivitiesImpl(new Adapters<MetricSource>("analysis", registry,
        List.of(new PrometheusSourceFactory(), new OpenMetricsSourceFactory())), SoakClock.SYSTEM, activities::killSwitch, client);
  }

  String definition(int failureLimit, int inconclusiveLimit) {
    return DefinitionBuilder.checkout().analysis(connection(), "1s", failureLimit, inconclusiveLimit, 100, metrics())
        .ring("canary", "{ percent: 5 }", "2m").ring("everyone", "{ percent: 100 }", "1m").yaml();
  }

  Analysis analysis() {
    return TestDefinitions.load(definition(2, 2)).spec().analysis();
  }

  /** Measures until the outcome is {@code wanted} for each metric in order (earlier tests' traffic leaves the windows in time). */
  Measurement measureUntil(Outcome... wanted) {
    AnalysisActivitiesImpl a = analysisActivities();
    AtomicReference<Measurement> last = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      last.set(a.measureGates(AnalysisRequest.once("r", "canary", analysis())));
      assertThat(last.get().metrics()).as(last.get().describe()).extracting(MetricVerdict::outcome).containsExactly(wanted);
    });
    return last.get();
  }

  @Test
  void healthyTrafficPassesComparingCanaryAgainstControl() {
    Measurement m = measureUntil(Outcome.PASSED, Outcome.PASSED);
    MetricVerdict errors = m.metrics().get(0);
    assertThat(errors.canary()).isEqualTo(0.0);
    assertThat(errors.control()).isEqualTo(0.0);
    assertThat(errors.samples()).isGreaterThanOrEqualTo(100);
    assertThat(m.metrics().get(1).canary()).isBetween(0.025, 0.05); // p99 of 40 ms requests, within the 25–50 ms bucket
  }

  @Test
  void errorsForTheCanaryOnlyFail() {
    target.injectErrorsOn(0.3);
    Measurement m = measureUntil(Outcome.FAILED, Outcome.PASSED);
    assertThat(m.outcome()).isEqualTo(Outcome.FAILED);
    MetricVerdict errors = m.metrics().get(0);
    assertThat(errors.canary()).isGreaterThan(0.05);
    assertThat(errors.control()).isEqualTo(0.0);
  }

  @Test
  void slowCanaryFailsTheLatencyGate() {
    target.latencyOn = 0.4;
    Measurement m = measureUntil(Outcome.PASSED, Outcome.FAILED);
    assertThat(m.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(m.metrics().get(1).canary()).isGreaterThan(0.25);
  }

  @Test
  void noTrafficIsInconclusiveNeverAPass() {
    target.traffic = false;
    Measurement m = measureUntil(Outcome.INCONCLUSIVE, Outcome.INCONCLUSIVE);
    assertThat(m.outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(m.metrics().get(0).reason()).isNotNull();
  }

  @Test
  void preflightRefusesAQueryTheSourceCannotRunAndAcceptsTheGoodOnes() {
    AnalysisActivitiesImpl a = analysisActivities();
    a.checkGates(AnalysisRequest.once("r", "preflight", analysis()));
    Analysis broken = TestDefinitions.load(definition(2, 2).replaceFirst("canary: [^\\n]*", "canary: '" + brokenQuery().replace("'", "''") + "'"))
        .spec().analysis();
    assertThatThrownBy(() -> a.checkGates(AnalysisRequest.once("r", "preflight", broken)))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageContaining(brokenQueryMessage());
  }

  private RolloutWorkflow launch(String yaml, String version) {
    worker.registerActivitiesImplementations(activities, analysisActivities());
    env.start();
    return TestRollouts.start(client, worker, TestDefinitions.request(yaml, version, "dave"));
  }

  private RolloutWorkflow start(String yaml, String version) {
    RolloutWorkflow wf = launch(yaml, version);
    await().atMost(Duration.ofSeconds(30)).until(() -> wf.status().phase() == dev.ringmaster.pipeline.Phase.SOAKING);
    return wf;
  }

  @Test
  void aQueryTheSourceRefusesFailsTheStartBeforeAnythingIsDeployed() throws Exception {
    String yaml = definition(2, 2).replaceFirst("canary: [^\\n]*", "canary: '" + brokenQuery().replace("'", "''") + "'");
    RolloutResult r = result(launch(yaml, "1.4.5"));
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).startsWith("CheckGates failed: ").contains(brokenQueryMessage());
    assertThat(activities.changes()).isEmpty();
  }

  private static RolloutResult result(RolloutWorkflow wf) throws Exception {
    return WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(90, TimeUnit.SECONDS);
  }

  @Test
  void aRegressionMidSoakRollsTheRolloutBackBeforeTheSoakEnds() throws Exception {
    RolloutWorkflow wf = start(definition(2, 5), "1.4.2");
    Thread.sleep(3000);
    target.injectErrorsOn(0.3);
    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).startsWith("gates FAILED in ring canary: 2 consecutive FAILED measurement(s), failureLimit 2")
        .contains("error-rate canary=");
    assertThat(activities.changes()).containsSubsequence("EnableRing canary 5%", "KillSwitch");
    assertThat(activities.changes()).doesNotContain("EnableRing everyone 100%");
    assertThat(activities.changes()).as("pulled once, by the soak's watcher").filteredOn("KillSwitch"::equals).hasSize(1);
    assertThat(r.status().rollbackSteps().get(0)).startsWith("KillSwitch: new-checkout-flow off for everyone at the FAILED verdict, by the soak's watcher (");
  }

  @Test
  void noTrafficMidSoakPausesTheRolloutForAHuman() throws Exception {
    target.traffic = false;
    RolloutWorkflow wf = start(definition(5, 2), "1.4.3");
    await().atMost(Duration.ofSeconds(60)).until(() -> wf.status().state() == State.PAUSED);
    RolloutStatus s = wf.status();
    assertThat(s.message()).contains("gates INCONCLUSIVE in ring canary: 2 consecutive INCONCLUSIVE measurement(s), inconclusiveLimit 2");
    wf.abort(new dev.ringmaster.pipeline.OperatorAction("sre", "rest", "no traffic to judge"));
    assertThat(result(wf).state()).isEqualTo(State.ROLLED_BACK);
  }

  /**
   * Gates every second: 6 s in ring canary, then {@code everyoneSoak} in ring everyone (100 %), where the service's
   * flag-off traffic stops once the ring is enabled, as it does when nobody is left with the flag off.
   */
  private RolloutWorkflow soakingEveryoneWithoutControlTraffic(String version, String everyoneSoak) {
    String yaml = DefinitionBuilder.checkout().analysis(connection(), "1s", 2, 2, 100, metrics())
        .ring("canary", "{ percent: 5 }", "6s").ring("everyone", "{ percent: 100 }", everyoneSoak).yaml();
    measureUntil(Outcome.PASSED, Outcome.PASSED); // an earlier test's lack of flag-off traffic has left the windows
    RolloutWorkflow wf = start(yaml, version);
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      RolloutStatus s = wf.status();
      assertThat(s.state()).as(s.message()).isNotEqualTo(State.PAUSED);
      return s.rings().get(1).state() == dev.ringmaster.pipeline.RingState.SOAKING;
    });
    target.offTraffic = false;
    return wf;
  }

  @Test
  void aRingOfEveryoneHoldsItsCanaryToTheControlTheRingBeforeRead() throws Exception {
    RolloutWorkflow wf = soakingEveryoneWithoutControlTraffic("1.6.0", "15s");
    RolloutResult r = result(wf);
    assertThat(r.state()).as(r.message()).isEqualTo(State.SUCCEEDED);
    var everyone = r.status().rings().get(1).measurements();
    assertThat(r.status().rings().get(1).verdict()).startsWith("PASSED: soaked green");
    assertThat(everyone.last().metrics()).as(everyone.last().describe()).allSatisfy(v -> {
      assertThat(v.outcome()).isEqualTo(Outcome.PASSED);
      assertThat(v.reason()).startsWith("control from ring canary at ").endsWith(": nobody has the flag off in this ring");
    });
    MetricVerdict errors = everyone.last().metrics().get(0);
    assertThat(errors.control()).as("the canary ring's last control reading").isEqualTo(0.0);
    assertThat(everyone.last().metrics().get(1).control()).as("the canary ring's p99").isBetween(0.025, 0.05);
  }

  @Test
  void aRegressionInARingOfEveryoneStillRollsBackAgainstTheEarlierControl() throws Exception {
    RolloutWorkflow wf = soakingEveryoneWithoutControlTraffic("1.6.1", "2m");
    Thread.sleep(7000); // the flag-off series has left the 5 s windows: the gates now run on the baseline
    target.injectErrorsOn(0.3);
    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).startsWith("gates FAILED in ring everyone: 2 consecutive FAILED measurement(s)")
        .contains("error-rate canary=").contains("control=0 ").contains("(control from ring canary at ");
    assertThat(activities.changes()).containsSubsequence("EnableRing everyone 100%", "KillSwitch");
  }

  /** Gates every 30 s on a 2 min soak, and the tripwire checked every second. */
  String withTripwire(int failureLimit, String interval, String soak, int consecutive) {
    return DefinitionBuilder.checkout().analysis(connection(), interval, failureLimit, 2, 100, metrics()).tripwires(tripwire(consecutive))
        .ring("canary", "{ percent: 5 }", soak).ring("everyone", "{ percent: 100 }", "1s").yaml();
  }

  @Test
  void aSpikeOverTheTripwireRollsBackBeforeTheFirstIntervalEnds() throws Exception {
    RolloutWorkflow wf = start(withTripwire(2, "30s", "2m", 2), "1.5.0");
    long soaking = System.nanoTime();
    Thread.sleep(4000); // healthy checks first
    target.injectErrorsOn(0.5);
    RolloutResult r = result(wf);
    Duration sinceSoakStart = Duration.ofNanos(System.nanoTime() - soaking);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason())
        .startsWith("gates FAILED in ring canary: tripwire error-spike: 2 consecutive check(s) crossed canary > 0.2 (canary ")
        .contains(" — FAILED: error-spike canary=").contains("samples=");
    assertThat(sinceSoakStart).as("rolled back before the first 30 s interval ended").isLessThan(Duration.ofSeconds(30));
    assertThat(r.status().rings().get(0).measurements().measurements()).as("no interval measurement was taken").isZero();
    assertThat(activities.changes()).containsSubsequence("EnableRing canary 5%", "KillSwitch").doesNotContain("EnableRing everyone 100%");
  }

  @Test
  void aSingleNoisyPointUnderTheConsecutiveCountDoesNotTrip() throws Exception {
    RolloutWorkflow wf = start(withTripwire(3, "5s", "14s", 3), "1.5.1");
    Thread.sleep(3500);
    target.injectErrorsOn(1.0); // 0.6 s of nothing but errors: over the line in the one or two seconds it falls in
    Thread.sleep(600);
    target.errorRateOn = 0;
    RolloutResult r = result(wf);
    assertThat(r.state()).as(r.message()).isEqualTo(State.SUCCEEDED);
    String verdict = r.status().rings().get(0).verdict();
    assertThat(verdict).startsWith("PASSED: soaked green: ").contains("; tripwires error-spike ");
    int crossed = Integer.parseInt(verdict.replaceAll("(?s).*checks, (\\d+) crossed.*", "$1"));
    assertThat(crossed).as("the noisy point crossed the line at least once, never 3 times in a row: " + verdict).isBetween(1, 2);
    // the checks live inside WatchSoak: one per ring in the history, and nothing per check
    var scheduled = client.fetchHistory(WorkflowStub.fromTyped(wf).getExecution().getWorkflowId()).getEvents().stream()
        .filter(e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()).toList();
    assertThat(scheduled).filteredOn("WatchSoak"::equals).hasSize(2);
    assertThat(scheduled).doesNotContain("MeasureGates");
  }

  @Test
  void aTripwireWithTooLittleTrafficIsInconclusiveNotFailed() throws Exception {
    target.lowTraffic = true; // 5 requests/s, every one an error: over the line, under minSamples
    // The soak starts only once the tripwire's window (irate over 3 s) holds the low traffic alone: a first check
    // right after the start read the previous test's last seconds of full traffic with errors (seen: 91 samples, 26 %).
    Thread.sleep(4000);
    RolloutWorkflow wf = start(withTripwire(2, "5s", "2m", 1), "1.5.2");
    target.injectErrorsOn(1.0);
    await().atMost(Duration.ofSeconds(60)).until(() -> wf.status().state() == State.PAUSED);
    RolloutStatus s = wf.status();
    assertThat(s.message()).startsWith("gates INCONCLUSIVE in ring canary: 2 consecutive INCONCLUSIVE measurement(s), inconclusiveLimit 2; tripwires error-spike ")
        .contains(" 0 crossed, ").containsPattern(", [1-9]\\d* inconclusive");
    assertThat(activities.changes()).doesNotContain("KillSwitch");
    wf.abort(new dev.ringmaster.pipeline.OperatorAction("sre", "rest", "too little traffic to judge"));
    assertThat(result(wf).state()).isEqualTo(State.ROLLED_BACK);
  }

  @Test
  void theSourceGoingAwayMidSoakIsErrorAndCountsTowardTheFailureLimit() throws Exception {
    RolloutWorkflow wf = start(definition(2, 5), "1.4.4");
    Thread.sleep(3000);
    stopSource();
    try {
      RolloutResult r = result(wf);
      assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
      assertThat(r.status().rollbackReason()).startsWith("gates FAILED in ring canary: 2 consecutive ERROR measurement(s), failureLimit 2");
    } finally {
      restoreSource();
    }
  }
}
