package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.analysis.SoakSummary.Point;
import dev.ringmaster.analysis.SoakSummary.Value;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The form a soak's heartbeats carry its streak in, through Temporal's data converter as the SDK sends and reads it:
 * the same streak back (the series' times to the millisecond, values to 7 significant digits), a quarter of the
 * bytes, and the older form still read.
 */
class SoakBeatTest {
  static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  /** {@code n} measurements of two metrics, 10 s apart, with failures, inconclusive ones and values missing. */
  static Streak streak(int n) {
    Random r = new Random(42);
    Streak s = Streak.START;
    Instant t = Instant.parse("2026-12-05T07:00:00.123456789Z");
    for (int i = 0; i < n; i++) {
      Outcome o = i % 37 == 5 ? Outcome.FAILED : i % 23 == 7 ? Outcome.INCONCLUSIVE : Outcome.PASSED;
      Double control = o == Outcome.INCONCLUSIVE ? null : 0.01 + r.nextDouble() / 100;
      s = GateEvaluator.afterMeasurement(s, new Measurement(t.plusSeconds(10L * i).plusNanos(r.nextInt(1_000_000)), o, List.of(
          new MetricVerdict("error-rate", 0.01 + r.nextDouble() / 10, control, 500.0, "canary > control + 0.05", o,
              o == Outcome.INCONCLUSIVE ? "control has no data" : null),
          new MetricVerdict("p99-latency", 100 + r.nextDouble() * 200, Double.NaN, null, "canary > 250", Outcome.PASSED, null))));
    }
    return s;
  }

  static Payloads sent(Object details) {
    return CONVERTER.toPayloads(details).orElseThrow();
  }

  static SoakBeat read(Payloads p) {
    return CONVERTER.fromPayloads(0, Optional.of(p), SoakBeat.class, SoakBeat.class);
  }

  @Test
  void aHeartbeatGivesBackTheStreakItCarried() {
    Streak before = streak(1_000); // the series has been halved: 240 points or fewer
    Streak after = read(sent(SoakBeat.of(before))).streak();
    assertThat(after.consecutiveFailures()).isEqualTo(before.consecutiveFailures());
    assertThat(after.consecutiveInconclusive()).isEqualTo(before.consecutiveInconclusive());
    SoakSummary b = before.summary(), a = after.summary();
    assertThat(a.measurements()).isEqualTo(1_000);
    assertThat(a.counts()).isEqualTo(b.counts());
    assertThat(a.last()).isEqualTo(b.last());
    assertThat(a.worst()).isEqualTo(b.worst());
    assertThat(a.series()).hasSameSizeAs(b.series()).hasSizeGreaterThan(100);
    for (int i = 0; i < b.series().size(); i++) {
      Point pb = b.series().get(i), pa = a.series().get(i);
      assertThat(pa.at()).isEqualTo(pb.at().truncatedTo(ChronoUnit.MILLIS));
      assertThat(pa.outcome()).isEqualTo(pb.outcome());
      assertThat(pa.metrics()).hasSameSizeAs(pb.metrics());
      for (int m = 0; m < pb.metrics().size(); m++) {
        Value vb = pb.metrics().get(m), va = pa.metrics().get(m);
        assertThat(va.metric()).isEqualTo(vb.metric());
        assertThat(va.outcome()).isEqualTo(vb.outcome());
        assertSameToAFloat(va.canary(), vb.canary());
        assertSameToAFloat(va.control(), vb.control());
        assertSameToAFloat(va.threshold(), vb.threshold());
      }
    }
    assertThat(b.series()).anySatisfy(p -> assertThat(p.metrics().get(0).control()).isNull());
    assertThat(b.series()).anySatisfy(p -> assertThat(p.outcome()).isEqualTo(Outcome.FAILED));
  }

  static void assertSameToAFloat(Double actual, Double expected) {
    if (expected == null) {
      assertThat(actual).isNull();
    } else {
      assertThat(actual).isEqualTo(Double.valueOf(Float.toString(expected.floatValue())));
      assertThat(Math.abs(actual - expected)).isLessThanOrEqualTo(Math.abs(expected) * 1e-6);
    }
  }

  @Test
  void aFullSeriesTakesAQuarterOfTheBytesOrLess() {
    Streak s = streak(240);
    assertThat(s.summary().series()).hasSize(240);
    int asObjects = sent(s).getSerializedSize(), inColumns = sent(SoakBeat.of(s)).getSerializedSize();
    assertThat(inColumns).as("bytes in columns, against %d as objects", asObjects).isLessThanOrEqualTo(asObjects / 4);
  }

  @Test
  void aHeartbeatOfTheOlderFormReadsTheSame() {
    Streak before = streak(50);
    assertThat(read(sent(before)).streak()).as("a Streak sent by a worker of the version before").isEqualTo(before);
    assertThat(read(sent(Streak.START)).streak()).isEqualTo(Streak.START);
    assertThat(SoakBeat.of(Streak.START).chart()).as("no series, no chart").isNull();
  }

  @Test
  void aValueBeyondAFloatsRangeKeepsTheSeriesWhole() {
    for (double huge : new double[] {1e300, 1e-300, -1e300}) {
      Streak s = GateEvaluator.afterMeasurement(streak(3), new Measurement(Instant.parse("2026-12-05T08:00:00Z"), Outcome.PASSED,
          List.of(new MetricVerdict("error-rate", huge, 0.01, 500.0, "canary > control + 0.05", Outcome.PASSED, null),
              new MetricVerdict("p99-latency", 120.0, null, null, "canary > 250", Outcome.PASSED, null))));
      SoakBeat beat = SoakBeat.of(s);
      assertThat(beat.chart()).as("%s in a float is %s", huge, (float) huge).isNull();
      assertThat(read(sent(beat)).streak()).isEqualTo(s);
    }
  }

  @Test
  void pointsOfDifferentMetricsStayInTheSummaryWhole() {
    Streak s = GateEvaluator.afterMeasurement(streak(3), new Measurement(Instant.parse("2026-12-05T08:00:00Z"), Outcome.PASSED,
        List.of(new MetricVerdict("other", 1.0, 1.0, null, "canary > 2", Outcome.PASSED, null))));
    SoakBeat beat = SoakBeat.of(s);
    assertThat(beat.chart()).isNull();
    assertThat(read(sent(beat)).streak()).isEqualTo(s);
  }
}
