package dev.ringmaster.analysis.openmetrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text exposition (format 0.0.4, which OpenMetrics text also parses as): every sample
 * line {@code name{label="value",...} value [timestamp]}; comments and {@code # TYPE}/{@code # HELP} lines are
 * skipped. Label values may contain escaped {@code \"}, {@code \\} and {@code \n}.
 */
record Exposition(List<Sample> samples, long scrapedAtNanos) {
  record Sample(String name, Map<String, String> labels, double value) {}

  static Exposition parse(String text, long scrapedAtNanos) {
    List<Sample> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      try {
        out.add(sample(line));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + lineNo + " is not a sample (" + e.getMessage() + "): " + line);
      }
    }
    return new Exposition(out, scrapedAtNanos);
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) i++;
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        while (line.charAt(i) == ' ' || line.charAt(i) == ',') i++;
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq).strip();
        i = eq + 1;
        if (line.charAt(i) != '"') throw new IllegalArgumentException("label value must be quoted");
        StringBuilder v = new StringBuilder();
        i++;
        while (line.charAt(i) != '"') {
          char c = line.charAt(i);
          if (c == '\\') {
            char n = line.charAt(++i);
            v.append(n == 'n' ? '\n' : n);
          } else {
            v.append(c);
          }
          i++;
        }
        i++;
        labels.put(label, v.toString());
      }
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    return new Sample(name, labels, parseValue(rest[0]));
  }

  static double parseValue(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }
}
