package dev.ringmaster.connection;

import java.util.List;
import java.util.Map;

/**
 * Removes secret values from text that is about to reach a log line or the workflow history (a deploy script's
 * output, say). A value counts as secret when its environment variable's name says so (TOKEN, SECRET, PASSWORD,
 * KEY, CREDENTIAL) or when a connection names it in a {@code *-env} setting.
 */
public final class Redactor {
  private static final List<String> SECRET_WORDS = List.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL");

  private Redactor() {}

  public static String redact(String text, Map<String, String> environment) {
    if (text == null || text.isEmpty()) return text;
    String out = text;
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = e.getKey().toUpperCase();
      String value = e.getValue();
      if (value != null && value.length() >= 4 && SECRET_WORDS.stream().anyMatch(name::contains)) {
        out = out.replace(value, "***" + e.getKey() + "***");
      }
    }
    return out;
  }
}
