package dev.ringmaster.analysis.openmetrics;

import dev.ringmaster.analysis.openmetrics.Exposition.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code name{label op "value", ...}}. */
final class Selector {
  private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  record LabelMatcher(String label, String op, String value, Pattern regex) {
    boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(label, "");
      return switch (op) {
        case "=" -> v.equals(value);
        case "!=" -> !v.equals(value);
        case "=~" -> regex.matcher(v).matches();
        default -> !regex.matcher(v).matches();
      };
    }
  }

  final String name;
  final List<LabelMatcher> matchers;

  private Selector(String name, List<LabelMatcher> matchers) {
    this.name = name;
    this.matchers = matchers;
  }

  static Selector parse(String text) {
    String t = text.strip();
    int brace = t.indexOf('{');
    String name = brace < 0 ? t : t.substring(0, brace).strip();
    if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("'" + t + "': '" + name + "' is not a metric name");
    List<LabelMatcher> matchers = new ArrayList<>();
    if (brace >= 0) {
      if (!t.endsWith("}")) throw new IllegalArgumentException("'" + t + "': the label matchers are not closed with }");
      String body = t.substring(brace + 1, t.length() - 1);
      for (String part : WindowExpression.splitArgs(body)) {
        if (part.isBlank()) continue;
        Matcher m = MATCHER.matcher(part);
        if (!m.matches()) {
          throw new IllegalArgumentException("'" + t + "': '" + part.strip() + "' is not a label matcher (label=\"v\", !=, =~, !~)");
        }
        String value = m.group(3).replace("\\\"", "\"").replace("\\\\", "\\");
        Pattern regex = m.group(2).contains("~") ? Pattern.compile(value) : null;
        matchers.add(new LabelMatcher(m.group(1), m.group(2), value, regex));
      }
    }
    return new Selector(name, matchers);
  }

  boolean matches(Sample s) {
    return s.name().equals(name) && matchers.stream().allMatch(m -> m.matches(s.labels()));
  }

  Selector named(String other) {
    return new Selector(other, matchers);
  }

  Selector exactly(Map<String, String> labels) {
    List<LabelMatcher> all = new ArrayList<>();
    labels.forEach((k, v) -> all.add(new LabelMatcher(k, "=", v, null)));
    return new Selector(name, all);
  }
}
