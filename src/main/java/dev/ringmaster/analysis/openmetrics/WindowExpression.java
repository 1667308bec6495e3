package dev.ringmaster.analysis.openmetrics;

import dev.ringmaster.analysis.openmetrics.Exposition.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The openmetrics source's small expression form, evaluated over two scrapes taken a window apart:
 * <ul>
 *   <li>{@code increase(sel)}: how much the matching counters grew, summed over series (a reset counts from 0);</li>
 *   <li>{@code rate(sel)}: that per second;</li>
 *   <li>{@code ratio(sel, sel)}: increase of the first over increase of the second (no data when the second did not grow);</li>
 *   <li>{@code quantile(q, name{...})}: the q-quantile of histogram {@code name} from its {@code name_bucket} series'
 *       increases, interpolated within the bucket as PromQL's {@code histogram_quantile} does.</li>
 * </ul>
 * A selector is {@code metric_name} with optional matchers {@code {label="v", label!="v", label=~"re", label!~"re"}}.
 * Parsed once, when a rollout starts (pre-flight); anything else is refused with what was expected.
 */
abstract sealed class WindowExpression {
  private static final Pattern CALL = Pattern.compile("\\s*(increase|rate|ratio|quantile)\\s*\\((.*)\\)\\s*", Pattern.DOTALL);

  /** The value over the window, or null when there is no data. */
  abstract Double evaluate(Exposition start, Exposition end);

  static WindowExpression parse(String text) {
    Matcher m = CALL.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not an openmetrics expression: expected increase(sel), rate(sel), ratio(sel, sel) "
          + "or quantile(q, histogram{...}), e.g. ratio(http_requests_total{flag=\"on\",code=~\"5..\"}, http_requests_total{flag=\"on\"})");
    }
    List<String> args = splitArgs(m.group(2));
    return switch (m.group(1)) {
      case "increase" -> new Increase(Selector.parse(one(args, text)), false);
      case "rate" -> new Increase(Selector.parse(one(args, text)), true);
      case "ratio" -> {
        if (args.size() != 2) throw new IllegalArgumentException("'" + text + "': ratio takes two selectors");
        yield new Ratio(Selector.parse(args.get(0)), Selector.parse(args.get(1)));
      }
      case "quantile" -> {
        if (args.size() != 2) throw new IllegalArgumentException("'" + text + "': quantile takes a number and a histogram selector");
        double q;
        try {
          q = Double.parseDouble(args.get(0).strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "': '" + args.get(0).strip() + "' is not a quantile between 0 and 1");
        }
        if (q < 0 || q > 1) throw new IllegalArgumentException("'" + text + "': quantile " + q + " is not between 0 and 1");
        yield new Quantile(q, Selector.parse(args.get(1)));
      }
      default -> throw new IllegalStateException();
    };
  }

  private static String one(List<String> args, String text) {
    if (args.size() != 1) throw new IllegalArgumentException("'" + text + "': takes one selector");
    return args.get(0);
  }

  /** Splits on top-level commas (not inside braces or quotes). */
  static List<String> splitArgs(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) quoted = !quoted;
      else if (!quoted && c == '{') depth++;
      else if (!quoted && c == '}') depth--;
      else if (!quoted && depth == 0 && c == ',') {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** Sum over matching series of the growth between the scrapes; null when no series matches in the end scrape. */
  static Double increase(Selector sel, Exposition start, Exposition end) {
    Map<Map<String, String>, Double> before = new HashMap<>();
    for (Sample s : start.samples()) if (sel.matches(s)) before.put(s.labels(), s.value());
    double sum = 0;
    boolean any = false;
    for (Sample s : end.samples()) {
      if (!sel.matches(s)) continue;
      any = true;
      Double b = before.get(s.labels());
      sum += b == null || s.value() < b ? s.value() : s.value() - b;
    }
    return any ? sum : null;
  }

  static final class Increase extends WindowExpression {
    final Selector selector;
    final boolean perSecond;

    Increase(Selector selector, boolean perSecond) {
      this.selector = selector;
      this.perSecond = perSecond;
    }

    @Override
    Double evaluate(Exposition start, Exposition end) {
      Double inc = increase(selector, start, end);
      if (inc == null || !perSecond) return inc;
      return inc / ((end.scrapedAtNanos() - start.scrapedAtNanos()) / 1e9);
    }
  }

  static final class Ratio extends WindowExpression {
    final Selector numerator;
    final Selector denominator;

    Ratio(Selector numerator, Selector denominator) {
      this.numerator = numerator;
      this.denominator = denominator;
    }

    @Override
    Double evaluate(Exposition start, Exposition end) {
      Double den = increase(denominator, start, end);
      if (den == null || den == 0) return null;
      Double num = increase(numerator, start, end);
      return (num == null ? 0 : num) / den;
    }
  }

  static final class Quantile extends WindowExpression {
    final double q;
    final Selector buckets;

    Quantile(double q, Selector histogram) {
      this.q = q;
      this.buckets = histogram.named(histogram.name + "_bucket");
    }

    @Override
    Double evaluate(Exposition start, Exposition end) {
      TreeMap<Double, Double> cumulative = new TreeMap<>();
      for (Sample s : end.samples()) {
        if (!buckets.matches(s) || !s.labels().containsKey("le")) continue;
        double le = Exposition.parseValue(s.labels().get("le"));
        Selector exact = buckets.exactly(s.labels());
        Double inc = increase(exact, start, end);
        cumulative.merge(le, inc == null ? 0 : inc, Double::sum);
      }
      if (cumulative.isEmpty()) return null;
      double total = cumulative.lastEntry().getValue();
      if (total == 0 || !cumulative.lastKey().isInfinite()) return null;
      double rank = q * total;
      double lowerBound = 0;
      double lowerCount = 0;
      for (var e : cumulative.entrySet()) {
        if (e.getValue() >= rank) {
          if (e.getKey().isInfinite()) return lowerBound;
          double inBucket = e.getValue() - lowerCount;
          return inBucket == 0 ? e.getKey() : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
        }
        lowerBound = e.getKey();
        lowerCount = e.getValue();
      }
      return lowerBound;
    }
  }
}
