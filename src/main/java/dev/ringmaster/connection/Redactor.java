package dev.ringmaster.connection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Removes secret values from text that is about to reach a log line or the workflow history (a deploy script's
 * output, say). A value counts as secret when its environment variable's name says so (TOKEN, SECRET, PASSWORD,
 * KEY, CREDENTIAL) or when a configured connection names it in a {@code *-env} setting, and it has at least
 * {@value #MIN_LENGTH} characters. Every occurrence of every secret is found in the original text first and
 * overlapping occurrences are merged, so a secret that is a prefix of (or overlaps) another never leaves a part of
 * the other visible; a merged stretch is labelled with the longest secret in it.
 */
public final class Redactor {
  static final int MIN_LENGTH = 4;
  private static final List<String> SECRET_WORDS = List.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL");
  /** Variables named by {@code *-env} settings of configured connections (filled by {@link ConnectionRegistry}). */
  private static final Set<String> CONFIGURED = ConcurrentHashMap.newKeySet();

  private Redactor() {}

  static void alsoSecret(Collection<String> variableNames) {
    CONFIGURED.addAll(variableNames);
  }

  private record Hit(int start, int end, String name) {}

  public static String redact(String text, Map<String, String> environment) {
    if (text == null || text.isEmpty()) return text;
    List<Hit> hits = new ArrayList<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String value = e.getValue();
      if (value == null || value.length() < MIN_LENGTH || !isSecret(e.getKey())) continue;
      for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) hits.add(new Hit(at, at + value.length(), e.getKey()));
    }
    if (hits.isEmpty()) return text;
    hits.sort(Comparator.comparingInt(Hit::start));
    StringBuilder out = new StringBuilder();
    int written = 0;
    int i = 0;
    while (i < hits.size()) {
      Hit first = hits.get(i);
      int end = first.end();
      Hit longest = first;
      for (i++; i < hits.size() && hits.get(i).start() < end; i++) {
        Hit h = hits.get(i);
        end = Math.max(end, h.end());
        if (h.end() - h.start() > longest.end() - longest.start()) longest = h;
      }
      out.append(text, written, first.start()).append("***").append(longest.name()).append("***");
      written = end;
    }
    return out.append(text, written, text.length()).toString();
  }

  private static boolean isSecret(String variable) {
    String name = variable.toUpperCase(Locale.ROOT);
    return CONFIGURED.contains(variable) || SECRET_WORDS.stream().anyMatch(name::contains);
  }
}
