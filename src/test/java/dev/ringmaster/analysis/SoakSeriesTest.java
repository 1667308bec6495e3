package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart series of a soak: bounded however long the soak, failures never dropped, thresholds from failIf. */
class SoakSeriesTest {
  static Measurement at(int i, Outcome outcome, double canary) {
    return new Measurement(Instant.ofEpochSecond(1_700_000_000L + i * 10L), outcome,
        List.of(new MetricVerdict("error-rate", canary, 0.01, 500.0, "canary > control + 0.05", outcome, null)));
  }

  @Test
  void aDaysSoakStaysWithinTheLimitAndKeepsItsFailures() throws Exception {
    SoakSummary s = SoakSummary.EMPTY;
    for (int i = 0; i < 8_641; i++) s = s.with(at(i, i == 4_321 ? Outcome.FAILED : Outcome.PASSED, i == 4_321 ? 0.3 : 0.01));
    assertThat(s.measurements()).isEqualTo(8_641);
    assertThat(s.series()).hasSizeLessThanOrEqualTo(SoakSummary.MAX_POINTS).hasSizeGreaterThan(SoakSummary.MAX_POINTS / 2);
    assertThat(s.series()).filteredOn(p -> p.outcome() == Outcome.FAILED).singleElement()
        .satisfies(p -> assertThat(p.metrics().get(0).canary()).isEqualTo(0.3));
    assertThat(s.series()).isSortedAccordingTo((a, b) -> a.at().compareTo(b.at()));
    assertThat(s.series().get(s.series().size() - 1).at()).as("the newest point is the last measurement").isEqualTo(s.last().at());
    String json = new ObjectMapper().registerModule(new JavaTimeModule()).writeValueAsString(s);
    assertThat(json.length()).as("bytes in the history per soak").isLessThan(64 * 1024);
  }

  @Test
  void manyMetricsShareTheValueBudgetSoTheSeriesStaysTheSameSize() {
    List<MetricVerdict> ten = new java.util.ArrayList<>();
    for (int k = 0; k < 10; k++) ten.add(new MetricVerdict("metric-" + k, 0.01, 0.01, 500.0, "canary > control + 0.05", Outcome.PASSED, null));
    SoakSummary s = SoakSummary.EMPTY;
    for (int i = 0; i < 8_641; i++) s = s.with(new Measurement(Instant.ofEpochSecond(1_700_000_000L + i), Outcome.PASSED, ten));
    assertThat(SoakSummary.maxPoints(10)).isEqualTo(96);
    assertThat(s.series()).hasSizeLessThanOrEqualTo(96).hasSizeGreaterThan(48);
    assertThat(s.series().stream().mapToInt(p -> p.metrics().size()).sum()).isLessThanOrEqualTo(SoakSummary.MAX_VALUES);
    assertThat(SoakSummary.maxPoints(1)).isEqualTo(SoakSummary.MAX_POINTS);
  }

  @Test
  void eachPointCarriesTheThresholdItsCanaryWasHeldTo() {
    SoakSummary s = SoakSummary.EMPTY.with(at(0, Outcome.PASSED, 0.02))
        .with(new Measurement(Instant.EPOCH, Outcome.INCONCLUSIVE, List.of(new MetricVerdict("error-rate", 0.02, null, 5.0, "canary > control + 0.05",
            Outcome.INCONCLUSIVE, "control has no data"))))
        .with(new Measurement(Instant.EPOCH, Outcome.PASSED, List.of(new MetricVerdict("p99", 0.1, Double.NaN, null, "canary > 0.25", Outcome.PASSED, null))));
    assertThat(s.series().get(0).metrics().get(0).threshold()).isEqualTo(0.06, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.series().get(1).metrics().get(0).threshold()).as("no control, no threshold").isNull();
    assertThat(s.series().get(2).metrics().get(0).threshold()).isEqualTo(0.25);
    assertThat(s.series().get(2).metrics().get(0).control()).as("NaN is no value on a chart").isNull();
  }

  @Test
  void aSummaryRecordedBeforeTheSeriesExistedReadsAsAnEmptySeries() throws Exception {
    SoakSummary old = new ObjectMapper().registerModule(new JavaTimeModule())
        .readValue("{\"measurements\": 3, \"counts\": {\"PASSED\": 3}, \"last\": null, \"worst\": null}", SoakSummary.class);
    assertThat(old.series()).isEmpty();
    assertThat(old.with(at(0, Outcome.PASSED, 0.01)).series()).hasSize(1);
  }
}
