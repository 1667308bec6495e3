package dev.ringmaster.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every API error body: what went wrong, and the details (every validation problem, a hint). Values a caller sent
 * are quoted back at most as a short prefix ({@link #shorten}), and a flood of problems is cut to the first
 * {@value #MAX_DETAILS}: an error never echoes a megabyte back.
 */
public record ApiError(String error, List<String> details) {
  static final int MAX_DETAILS = 50;
  static final int MAX_QUOTED = 60;
  static final int MAX_TEXT = 600;
  /** A value in single quotes: the quotes not inside a word (so "definition's" does not open one). */
  private static final Pattern QUOTED = Pattern.compile("(?<![\\p{L}\\p{N}])'([^'\\n]{" + (MAX_QUOTED + 1) + ",}?)'(?![\\p{L}\\p{N}])");

  public ApiError {
    error = shorten(error);
    List<String> d = new ArrayList<>();
    for (String s : details == null ? List.<String>of() : details) {
      if (d.size() == MAX_DETAILS) {
        d.add("… and " + (details.size() - MAX_DETAILS) + " more");
        break;
      }
      d.add(shorten(s));
    }
    details = List.copyOf(d);
  }

  /** Quoted values longer than {@value #MAX_QUOTED} characters become a prefix and their length; the whole text at most {@value #MAX_TEXT}. */
  static String shorten(String text) {
    if (text == null) return null;
    Matcher m = QUOTED.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = m.group(1);
      m.appendReplacement(sb, Matcher.quoteReplacement("'" + v.substring(0, MAX_QUOTED) + "…' (" + v.length() + " characters)"));
    }
    m.appendTail(sb);
    String s = sb.toString();
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "… (" + s.length() + " characters)";
  }
}
