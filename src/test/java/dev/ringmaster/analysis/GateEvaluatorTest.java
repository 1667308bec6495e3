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

  @Test
  void expressionsOutsideTheFormsAreRefusedWithTheFormsNamed() {
    for (String bad : List.of("canary >= 1", "control > canary", "canary > control / 2", "rate > 1", "")) {
      assertThatThrownBy(() -> FailCondition.parse(bad)).hasMessageContaining("accepted forms: canary > 0.01");
    }
    assertThat(FailCondition.parse("canary>control+0.001").toString()).isEqualTo("canary > control + 0.001");
  }
}
