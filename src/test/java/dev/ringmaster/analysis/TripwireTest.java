package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tripwires apart from any real source: the judging of a run of checks (pure), and a watch on its scheduler over a
 * scripted source. The real sources are in {@code PrometheusGateTest} and {@code OpenMetricsGateTest}.
 */
class TripwireTest {
  static final Tripwire SPIKE = new Tripwire("error-spike", "errors", null, "requests", "canary > 0.2", 20, 3);

  @ParameterizedTest(name = "consecutive 3: {0} → tripped {1}")
  @CsvSource({
      // checks: X crossed, P passed, I too few samples, E source failed
      "XXX,     true",
      "PXXX,    true",
      "XXPXX,   false",  // one passing check ends the run
      "XPXPXPX, false",  // noisy points that never run three in a row
      "XXIX,    false",  // too little traffic is not a crossing, and ends the run
      "XXEX,    false",  // nor is a source failure
      "IIIIII,  false",
      "EEEEEE,  false",
  })
  void onlyConsecutiveCrossingChecksTrip(String checks, boolean tripped) {
    TripwireRun run = TripwireRun.start(SPIKE);
    for (char c : checks.toCharArray()) {
      run = run.after(run.judge(reading(c), c == 'E' ? "Prometheus answered 503" : null));
      if (run.tripped()) break;
    }
    assertThat(run.tripped()).as(run.tally()).isEqualTo(tripped);
  }

  @Test
  void theTrippedRunNamesTheValuesThatCrossedAndTheTallyCountsEveryCheck() {
    TripwireRun run = TripwireRun.start(SPIKE);
    for (char c : "PIEXXX".toCharArray()) run = run.after(run.judge(reading(c), c == 'E' ? "down" : null));
    assertThat(run.tripped()).isTrue();
    assertThat(run.reason()).isEqualTo("tripwire error-spike: 3 consecutive check(s) crossed canary > 0.2 (canary 0.3000, 0.3000, 0.3000)");
    assertThat(run.crossing()).hasSize(3).allMatch(v -> v.outcome() == Outcome.FAILED && v.samples() == 100.0);
    assertThat(run.tally()).isEqualTo("error-spike 6 checks, 3 crossed, 1 inconclusive, 1 failed to read");
  }

  /** A value over the line with 100 samples (X), under it (P), over it with 5 samples (I); E reads nothing. */
  private static MetricReading reading(char c) {
    return switch (c) {
      case 'X' -> new MetricReading("error-spike", 0.3, null, 100.0);
      case 'P' -> new MetricReading("error-spike", 0.01, null, 100.0);
      case 'I' -> new MetricReading("error-spike", 0.9, null, 5.0);
      case 'E' -> null;
      default -> throw new IllegalArgumentException(String.valueOf(c));
    };
  }

  /** A source that answers what the test says, counting reads. */
  static final class Scripted implements MetricSource {
    volatile double canary = 0.01;
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public MetricReading read(Metric m) {
      reads.incrementAndGet();
      return new MetricReading(m.name(), canary, null, 100.0);
    }

    @Override
    public void check(Metric m) {
      if (m.canary().contains("broken")) throw new PermanentFailure("metric " + m.name() + ": the canary query does not parse");
    }
  }

  @Test
  void preflightRefusesBadTripwireSettingsAndQueriesBeforeAnythingRuns() {
    String metric = "- { name: error-rate, canary: errors, control: errors-off, failIf: canary > control }";
    String tripwire = "- { name: error-spike, canary: spike, samples: requests, failIf: canary > 0.2 }";
    var analysis = dev.ringmaster.support.TestDefinitions.load(dev.ringmaster.support.DefinitionBuilder.checkout()
        .analysis("prom", "30s", 2, 3, 100, metric).tripwires(tripwire).ring("everyone", "{ percent: 100 }", "1m").yaml()).spec().analysis();
    assertThat(activities(Map.of()).checkGatesRefusal(analysis)).isNull();
    assertThat(activities(Map.of("tripwire-every", "100ms")).checkGatesRefusal(analysis))
        .isEqualTo("connection 'prom': tripwire-every 100ms is shorter than the 250ms a tripwire may check at");
    var broken = dev.ringmaster.support.TestDefinitions.load(dev.ringmaster.support.DefinitionBuilder.checkout()
        .analysis("prom", "30s", 2, 3, 100, metric).tripwires(tripwire.replace("canary: spike", "canary: broken"))
        .ring("everyone", "{ percent: 100 }", "1m").yaml()).spec().analysis();
    assertThat(activities(Map.of()).checkGatesRefusal(broken)).isEqualTo("metric error-spike: the canary query does not parse");
  }

  /** The analysis activities on a scripted source behind a connection {@code prom} with these settings. */
  private static Preflight activities(Map<String, String> settings) {
    return new Preflight(new AnalysisActivitiesImpl(dev.ringmaster.support.TestSources.prom(settings, Scripted::new), SoakClock.SYSTEM));
  }

  record Preflight(AnalysisActivitiesImpl activities) {
    /** The permanent failure's message, or null when the pre-flight passes. */
    String checkGatesRefusal(dev.ringmaster.definition.RolloutDefinition.Analysis a) {
      try {
        activities.checkGates(AnalysisRequest.once("r", "preflight", a));
        return null;
      } catch (PermanentFailure e) {
        return e.getMessage();
      }
    }
  }

  @Test
  void aWatchChecksAtItsCadenceAndTripsOnTheConsecutiveCrossings() throws Exception {
    Scripted source = new Scripted();
    TripwireSettings every500ms = new TripwireSettings(Duration.ofMillis(500), 100);
    try (TripwireWatch watch = TripwireWatch.start("r ring canary", List.of(SPIKE), source, every500ms, new QueryBudget(100), Instant::now)) {
      Thread.sleep(1800);
      assertThat(watch.tripped()).isNotDone();
      assertThat(source.reads.get()).isBetween(2, 4);
      long crossedAt = System.nanoTime();
      source.canary = 0.5;
      TripwireRun run = watch.tripped().get(5, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - crossedAt)).isLessThan(Duration.ofMillis(2500)); // 3 checks 500 ms apart
      assertThat(run.crossing()).extracting(MetricVerdict::canary).containsExactly(0.5, 0.5, 0.5);
      SoakVerdict v = watch.verdict(SoakSummary.EMPTY);
      assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(v.deciding().metrics()).hasSize(3);
      assertThat(v.deciding().describe()).startsWith("FAILED: error-spike canary=0.5000 samples=100 failIf canary > 0.2 → FAILED");
    }
  }

  @Test
  void theConnectionsQueryCapSlowsEverySoakAlikeInsteadOfSendingMore() throws Exception {
    Scripted source = new Scripted();
    QueryBudget shared = new QueryBudget(4); // 4 queries/s for everyone; a check of SPIKE costs 2 (canary, samples)
    TripwireSettings every500ms = new TripwireSettings(Duration.ofMillis(500), 4);
    List<TripwireWatch> watches = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) { // together they want 5 × 4 = 20 queries/s: each checks every 5th tick, 2.5 s
      watches.add(TripwireWatch.start("r" + i, List.of(SPIKE), source, every500ms, shared, Instant::now));
      Thread.sleep(100);
    }
    assertThat(shared.stretch()).isEqualTo(5.0);
    Thread.sleep(5200);
    watches.forEach(TripwireWatch::close);
    assertThat(shared.stretch()).as("released when the soaks stop").isEqualTo(1.0);
    // 5.6 s at 4 queries/s (plus the 4 of a full bucket) allow at most 13 checks of 2 queries; without the cap: 55
    assertThat(source.reads.get()).isBetween(5, 13);
    for (TripwireWatch w : watches) {
      assertThat(w.tally()).as("every soak is checked, none starved").containsPattern("error-spike [1-9]\\d* checks")
          .contains("skipped at the connection's cap of 4 queries/s");
    }
  }

  @Test
  void settingsComeFromTheConnectionAndBadOnesAreRefusedClearly() {
    assertThat(TripwireSettings.of(new Connection("prom", "prometheus", Map.of()))).isEqualTo(new TripwireSettings(Duration.ofMillis(250), 200));
    assertThat(TripwireSettings.of(new Connection("prom", "prometheus", Map.of("tripwire-every", "2s", "tripwire-max-queries", "40"))))
        .isEqualTo(new TripwireSettings(Duration.ofSeconds(2), 40));
    assertThatThrownBy(() -> TripwireSettings.of(new Connection("prom", "prometheus", Map.of("tripwire-every", "100ms"))))
        .isInstanceOf(PermanentFailure.class).hasMessage("connection 'prom': tripwire-every 100ms is shorter than the 250ms a tripwire may check at");
    assertThatThrownBy(() -> TripwireSettings.of(new Connection("prom", "prometheus", Map.of("tripwire-every", "soon"))))
        .isInstanceOf(PermanentFailure.class).hasMessageStartingWith("connection 'prom': tripwire-every: ");
    assertThatThrownBy(() -> TripwireSettings.of(new Connection("prom", "prometheus", Map.of("tripwire-max-queries", "lots"))))
        .isInstanceOf(PermanentFailure.class).hasMessage("connection 'prom': tripwire-max-queries 'lots' is not a whole number of queries per second");
    assertThatThrownBy(() -> TripwireSettings.of(new Connection("prom", "prometheus", Map.of("tripwire-max-queries", "0"))))
        .isInstanceOf(PermanentFailure.class).hasMessage("connection 'prom': tripwire-max-queries must be at least 1, not 0");
  }
}
