package dev.ringmaster.analysis.openmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowExpressionTest {
  static final Exposition START = Exposition.parse("""
      # TYPE http_requests_total counter
      http_requests_total{flag="on",code="200"} 100
      http_requests_total{flag="on",code="500"} 10
      http_requests_total{flag="off",code="200"} 1000
      http_requests_total{flag="off",code="500"} 0 1700000000000
      restarts_total 50
      req_seconds_bucket{flag="on",le="0.1"} 10
      req_seconds_bucket{flag="on",le="0.5"} 10
      req_seconds_bucket{flag="on",le="+Inf"} 10
      label_escapes{path="/a\\"b\\\\c"} 1
      """, 0);
  static final Exposition END = Exposition.parse("""
      http_requests_total{flag="on",code="200"} 190
      http_requests_total{flag="on",code="500"} 20
      http_requests_total{flag="on",code="503"} 5
      http_requests_total{flag="off",code="200"} 1100
      http_requests_total{flag="off",code="500"} 0
      restarts_total 3
      req_seconds_bucket{flag="on",le="0.1"} 60
      req_seconds_bucket{flag="on",le="0.5"} 100
      req_seconds_bucket{flag="on",le="+Inf"} 110
      label_escapes{path="/a\\"b\\\\c"} 2
      """, 2_000_000_000L);

  static Double eval(String expression) {
    return WindowExpression.parse(expression).evaluate(START, END);
  }

  @Test
  void increaseRateAndRatioOverTheWindow() {
    assertThat(eval("increase(http_requests_total{flag=\"on\"})")).isEqualTo(90 + 10 + 5); // the new 503 series counts from 0
    assertThat(eval("rate(http_requests_total{flag=\"on\"})")).isEqualTo(52.5);
    assertThat(eval("ratio(http_requests_total{flag=\"on\",code=~\"5..\"}, http_requests_total{flag=\"on\"})")).isCloseTo(15.0 / 105, within(1e-9));
    assertThat(eval("ratio(http_requests_total{flag=\"off\",code=~\"5..\"}, http_requests_total{flag!=\"on\"})")).isEqualTo(0.0);
    assertThat(eval("increase(restarts_total)")).as("a counter reset counts from zero").isEqualTo(3);
    assertThat(eval("increase(label_escapes{path=\"/a\\\"b\\\\c\"})")).isEqualTo(1);
  }

  @Test
  void noMatchingSeriesOrNoGrowthInTheDenominatorIsNoDataNeverZero() {
    assertThat(eval("increase(http_requests_total{flag=\"nope\"})")).isNull();
    assertThat(eval("ratio(http_requests_total{code=\"500\"}, http_requests_total{flag=\"off\",code=\"500\"})")).isNull();
    assertThat(eval("quantile(0.5, nothing_here)")).isNull();
  }

  @Test
  void histogramQuantilesInterpolateWithinTheBucketLikePromQL() {
    // Window increases: le 0.1 → 50, le 0.5 → 90, +Inf → 100.
    assertThat(eval("quantile(0.5, req_seconds{flag=\"on\"})")).isCloseTo(0.1, within(1e-9));
    assertThat(eval("quantile(0.7, req_seconds{flag=\"on\"})")).isCloseTo(0.1 + 0.4 * (70 - 50) / 40.0, within(1e-9));
    assertThat(eval("quantile(0.99, req_seconds{flag=\"on\"})")).as("in the +Inf bucket: the highest finite bound").isEqualTo(0.5);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "avg(x)            | 'avg(x)' is not an openmetrics expression: expected increase(sel), rate(sel), ratio(sel, sel) or quantile(q, histogram{...})",
      "ratio(x)          | 'ratio(x)': ratio takes two selectors",
      "quantile(1.5, x)  | 'quantile(1.5, x)': quantile 1.5 is not between 0 and 1",
      "quantile(high, x) | 'quantile(high, x)': 'high' is not a quantile between 0 and 1",
      "rate(x{flag=on})  | 'x{flag=on}': 'flag=on' is not a label matcher",
      "rate(9x)          | '9x': '9x' is not a metric name",
      "rate(x, y)        | 'rate(x, y)': takes one selector",
  })
  void anythingElseIsRefusedSayingWhatWasExpected(String expression, String message) {
    assertThatThrownBy(() -> WindowExpression.parse(expression)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
  }

  @Test
  void aBodyThatIsNotAnExpositionSaysWhichLine() {
    assertThatThrownBy(() -> Exposition.parse("ok 1\n<html>oops</html>\n", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 2 is not a sample");
  }
}
