package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GateEvaluatorTest {
  static final Instant AT = Instant.parse("2026-11-23T00:00:00Z");

  static Outcome judge(String failIf, Double canary, Double control, Double samples, long minSamples) {
    Metric m = new Metric("m", "q_canary", "q_control", samples == null ? null : "q_samples", failIf);
    Analysis a = new Analysis("prom", Duration.ofSeconds(30), 1, 1, minSamples, List.of(m));
    return GateEvaluator.evaluate(a, Map.of("m", new MetricReading("m", canary, control, samples)), Map.of(), AT).outcome();
  }

  @ParameterizedTest(name = "{0} with canary={1} control={2} samples={3} → {5}")
  @CsvSource(nullValues = "null", value = {
      "canary > 0.01,              0.02,  0.001, 500,  200, FAILED",
      "canary > 0.01,              0.005, 0.001, 500,  200, PASSED",
      "canary > control + 0.001,   0.031, 0.004, 500,  200, FAILED",
      "canary > control + 0.001,   0.0045,0.004, 500,  200, PASSED",
      "canary > control * 1.2,     0.130, 0.100, 500,  200, FAILED",
      "canary > control * 1.2,     0.110, 0.100, 500,  200, PASSED",
      "canary < 0.99,              0.95,  null,  500,  200, FAILED",
      "canary < control - 0.01,    0.97,  0.99,  500,  200, FAILED",
      "canary < control * 0.9,     0.95,  0.99,  500,  200, PASSED",
      "canary > control,           0.2,   0.1,   500,  200, FAILED",
      "canary > control + 0.001,   null,  0.004, 500,  200, INCONCLUSIVE",
      "canary > control + 0.001,   NaN,   0.004, 500,  200, INCONCLUSIVE",
      "canary > control + 0.001,   0.5,   null,  500,  200, INCONCLUSIVE",
      "canary > control + 0.001,   0.5,   NaN,   500,  200, INCONCLUSIVE",
      "canary > control * 1.2,     0.5,   0,     500,  200, FAILED",
      "canary > control * 1.2,     0,     0,     500,  200, PASSED",
      "canary > control + 0.001,   0.5,   0.004, 120,  200, INCONCLUSIVE",
      "canary > control + 0.001,   0.5,   0.004, null, 200, FAILED",
      "canary > control + 0.001,   0.5,   0.004, NaN,  200, INCONCLUSIVE",
  })
  void eachFormAndEachKindOfMissingData(String failIf, Double canary, Double control, Double samples, long minSamples, Outcome expected) {
    // samples=null means the metric has no samples query: minSamples cannot apply to it.
    assertThat(judge(failIf.strip(), canary, control, samples, minSamples)).isEqualTo(expected);
  }

  @Test
  void theWorstMetricDecidesAndASourceErrorIsError() {
    Metric ok = new Metric("latency", "c", "k", null, "canary > control * 1.2");
    Metric broken = new Metric("errors", "c", "k", null, "canary > 0.01");
    Analysis a = new Analysis("prom", Duration.ofSeconds(30), 1, 1, 0, List.of(ok, broken));
    Measurement m = GateEvaluator.evaluate(a, Map.of("latency", new MetricReading("latency", 1.0, 1.0, null)),
        Map.of("errors", "connection refused"), AT);
    assertThat(m.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(m.describe()).isEqualTo("ERROR: latency canary=1 control=1 failIf canary > control * 1.2 → PASSED; "
        + "errors canary=none failIf canary > 0.01 → ERROR (connection refused)");
    assertThat(Outcome.PASSED.worst(Outcome.FAILED).worst(Outcome.ERROR)).isEqualTo(Outcome.FAILED);
  }

  /** A ring of 100 %: no live control, so each against-control metric is held to the control an earlier ring read. */
  @Test
  void aRingOfEveryoneJudgesAgainstTheEarlierControlAndSaysSo() {
    Metric errors = new Metric("errors", "c", "k", null, "canary > control + 0.001");
    Metric latency = new Metric("latency", "c", "k", null, "canary > control * 1.2");
    Metric absolute = new Metric("saturation", "c", null, null, "canary > 0.9");
    Analysis a = new Analysis("prom", Duration.ofSeconds(30), 1, 1, 0, List.of(errors, latency, absolute));
    Instant earlier = AT.minusSeconds(60);
    ControlBaseline baseline = new ControlBaseline(Map.of("errors", new ControlBaseline.Reading(0.004, "canary", earlier)));
    Map<String, MetricReading> readings = Map.of(
        "errors", new MetricReading("errors", 0.031, null, null),
        "latency", new MetricReading("latency", 0.2, Double.NaN, null),
        "saturation", new MetricReading("saturation", 0.5, null, null));

    Measurement m = GateEvaluator.evaluate(a, readings, Map.of(), AT, baseline);
    assertThat(m.metrics().get(0).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(m.metrics().get(0).control()).isEqualTo(0.004);
    assertThat(m.metrics().get(0)).hasToString("errors canary=0.03100 control=0.004000 failIf canary > control + 0.001 → FAILED"
        + " (control from ring canary at " + earlier + ": nobody has the flag off in this ring)");
    assertThat(m.metrics().get(1).outcome()).as("no earlier reading of latency's control").isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(m.metrics().get(1).reason()).isEqualTo(
        "control has no data: nobody has the flag off in a ring that reaches everyone, and no earlier ring read a control to hold it to");
    assertThat(m.metrics().get(2).outcome()).isEqualTo(Outcome.PASSED);
    assertThat(m.metrics().get(2).reason()).as("an absolute threshold needs no control").isNull();

    // a healthy canary passes on the baseline; live control data, where there is some, comes first
    readings = Map.of("errors", new MetricReading("errors", 0.0045, null, null), "latency", new MetricReading("latency", 0.2, 0.19, null),
        "saturation", new MetricReading("saturation", 0.5, null, null));
    m = GateEvaluator.evaluate(a, readings, Map.of(), AT, baseline);
    assertThat(m.outcome()).as(m.describe()).isEqualTo(Outcome.PASSED);
    assertThat(m.metrics().get(1).control()).isEqualTo(0.19);
    assertThat(m.metrics().get(1).reason()).isNull();
    m = GateEvaluator.evaluate(a, Map.of("errors", new MetricReading("errors", 0.031, 0.03, null)), Map.of(), AT, baseline);
    assertThat(m.metrics().get(0).outcome()).as("live control 0.03, not the baseline's 0.004").isEqualTo(Outcome.PASSED);

    // without a baseline (a ring with a flag-off population) nothing changes
    m = GateEvaluator.evaluate(a, Map.of("errors", new MetricReading("errors", 0.031, null, null)), Map.of(), AT);
    assertThat(m.metrics().get(0).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
    assertThat(m.metrics().get(0).reason()).isEqualTo("control has no data");
  }

  @Test
  void theBaselineIsEachMetricsLatestControlFromTheLatestRingThatReadOne() {
    Metric errors = new Metric("errors", "c", "k", null, "canary > control + 0.001");
    Metric latency = new Metric("latency", "c", "k", null, "canary > control * 1.2");
    Analysis a = new Analysis("prom", Duration.ofSeconds(30), 1, 1, 0, List.of(errors, latency));
    SoakSummary internal = SoakSummary.EMPTY
        .with(GateEvaluator.evaluate(a, Map.of("errors", new MetricReading("errors", 0.0, 0.001, null),
            "latency", new MetricReading("latency", 0.1, 0.1, null)), Map.of(), AT))
        .with(GateEvaluator.evaluate(a, Map.of("errors", new MetricReading("errors", 0.0, 0.002, null),
            "latency", new MetricReading("latency", 0.1, 0.12, null)), Map.of(), AT.plusSeconds(30)));
    // ring canary: errors' control read once, then no data (its last measurement has none); latency never read
    SoakSummary canary = SoakSummary.EMPTY
        .with(GateEvaluator.evaluate(a, Map.of("errors", new MetricReading("errors", 0.0, 0.003, null)), Map.of(), AT.plusSeconds(60)))
        .with(GateEvaluator.evaluate(a, Map.of("errors", new MetricReading("errors", 0.0, null, null)), Map.of(), AT.plusSeconds(90)));
    Map<String, SoakSummary> rings = new java.util.LinkedHashMap<>();
    rings.put("internal", internal);
    rings.put("canary", canary);
    rings.put("half", null); // promoted before it measured anything

    ControlBaseline b = ControlBaseline.of(List.of("errors", "latency", "saturation"), rings);
    assertThat(b.control()).containsOnlyKeys("errors", "latency");
    assertThat(b.control().get("errors")).isEqualTo(new ControlBaseline.Reading(0.003, "canary", AT.plusSeconds(60)));
    assertThat(b.control().get("latency")).isEqualTo(new ControlBaseline.Reading(0.12, "internal", AT.plusSeconds(30)));
    assertThat(ControlBaseline.of(List.of("errors"), Map.of()).control()).isEmpty();
  }

  @Test
  void expressionsOutsideTheFormsAreRefusedWithTheFormsNamed() {
    for (String bad : List.of("canary >= 1", "control > canary", "canary > control / 2", "rate > 1", "")) {
      assertThatThrownBy(() -> FailCondition.parse(bad)).hasMessageContaining("accepted forms: canary > 0.01");
    }
    assertThat(FailCondition.parse("canary>control+0.001").toString()).isEqualTo("canary > control + 0.001");
  }
}
