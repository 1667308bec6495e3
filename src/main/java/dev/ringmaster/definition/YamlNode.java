package dev.ringmaster.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A position in the parsed YAML tree that knows its path and records problems instead of throwing, so that one
 * pass over a definition reports every problem at once. Missing or broken values read as {@code null}.
 */
final class YamlNode {
  private final JsonNode node;
  private final String path;
  private final List<Problem> problems;

  YamlNode(JsonNode node, String path, List<Problem> problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  boolean isMissing() {
    return node == null || node.isMissingNode() || node.isNull();
  }

  void problem(String message, String hint) {
    problems.add(new Problem(path, message, hint));
  }

  YamlNode child(String field) {
    String p = path.isEmpty() ? field : path + "." + field;
    return new YamlNode(node == null || !node.isObject() ? null : node.get(field), p, problems);
  }

  /** Reports fields this object does not know, naming the ones it does. */
  YamlNode allowOnly(String... fields) {
    if (node != null && node.isObject()) {
      Set<String> known = Set.of(fields);
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!known.contains(f)) {
          child(f).problem("unknown field '" + f + "'", "known fields here: " + String.join(", ", fields));
        }
      }
    }
    return this;
  }

  /** This node as an object, or null (with a problem when present but not an object, or required and missing). */
  YamlNode object(boolean required) {
    if (isMissing()) {
      if (required) problem("is required", null);
      return null;
    }
    if (!node.isObject()) {
      problem("must be a mapping (key: value), found " + kindOf(node), null);
      return null;
    }
    return this;
  }

  String text(boolean required) {
    if (isMissing()) {
      if (required) problem("is required", null);
      return null;
    }
    if (!node.isValueNode() || node.asText().isBlank()) {
      problem("must be a non-empty text value, found " + kindOf(node), null);
      return null;
    }
    return node.asText();
  }

  Double number(boolean required) {
    if (isMissing()) {
      if (required) problem("is required", null);
      return null;
    }
    if (!node.isNumber()) {
      problem("must be a number, found " + kindOf(node), null);
      return null;
    }
    return node.asDouble();
  }

  boolean bool(boolean defaultValue) {
    if (isMissing()) return defaultValue;
    if (!node.isBoolean()) {
      problem("must be true or false, found " + kindOf(node), null);
      return defaultValue;
    }
    return node.asBoolean();
  }

  Integer integer(Integer defaultValue, int min) {
    if (isMissing()) return defaultValue;
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      problem("must be a whole number, found " + kindOf(node), null);
      return defaultValue;
    }
    int v = node.asInt();
    if (v < min) {
      problem(v + " must be at least " + min, null);
      return defaultValue;
    }
    return v;
  }

  Duration duration(boolean required) {
    String t = text(required);
    if (t == null) return null;
    try {
      return Durations.parse(t);
    } catch (IllegalArgumentException e) {
      problem(e.getMessage(), null);
      return null;
    }
  }

  LocalDate date() {
    String t = text(false);
    if (t == null) return null;
    try {
      return LocalDate.parse(t);
    } catch (DateTimeParseException e) {
      problem("'" + t + "' is not a date", "write it as YYYY-MM-DD, e.g. 2027-01-31");
      return null;
    }
  }

  /** Each element of a list, read by {@code reader}; null elements (broken ones) are dropped. */
  <T> List<T> list(boolean required, Function<YamlNode, T> reader) {
    List<T> out = new ArrayList<>();
    if (isMissing()) {
      if (required) problem("is required", null);
      return out;
    }
    if (!node.isArray()) {
      problem("must be a list, found " + kindOf(node), null);
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      T v = reader.apply(new YamlNode(node.get(i), path + "[" + i + "]", problems));
      if (v != null) out.add(v);
    }
    return out;
  }

  List<String> texts(boolean required) {
    return list(required, n -> n.text(true));
  }

  Iterator<String> fieldNames() {
    return node == null || !node.isObject() ? List.<String>of().iterator() : node.fieldNames();
  }

  private static String kindOf(JsonNode n) {
    if (n.isObject()) return "a mapping";
    if (n.isArray()) return "a list";
    if (n.isNumber()) return "the number " + n.asText();
    if (n.isBoolean()) return "the boolean " + n.asText();
    return "'" + n.asText() + "'";
  }
}
