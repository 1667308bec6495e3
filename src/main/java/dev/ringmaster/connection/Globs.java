package dev.ringmaster.connection;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Scope lists such as {@code [checkout, payments-*]}: {@code *} matches anything, everything else literally. */
public final class Globs {
  private Globs() {}

  public static boolean matchesAny(List<String> globs, String value) {
    return value != null && globs.stream().anyMatch(g -> compile(g).matcher(value).matches());
  }

  private static Pattern compile(String glob) {
    return Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
  }
}
