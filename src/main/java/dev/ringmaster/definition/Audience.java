package dev.ringmaster.definition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Who sees the flag in a ring: cohorts (tenants, users, values of other context attributes) plus a sticky
 * percentage of everyone else, hashed on the targeting key. Rings are cumulative, so what a flag provider is asked
 * to enable is always {@link #union(Audience)} of every ring so far.
 */
public record Audience(
    List<String> tenants, List<String> users, Map<String, List<String>> attributes, double percent) {

  public static final Audience NOBODY = new Audience(List.of(), List.of(), Map.of(), 0);

  public Audience {
    tenants = List.copyOf(tenants);
    users = List.copyOf(users);
    attributes = Map.copyOf(attributes);
  }

  public static Audience percent(double percent) {
    return new Audience(List.of(), List.of(), Map.of(), percent);
  }

  public boolean reachesEveryone() {
    return percent >= 100;
  }

  /** The cumulative audience: every cohort of both, and the larger percentage. */
  public Audience union(Audience other) {
    Map<String, List<String>> attrs = new LinkedHashMap<>();
    attributes.forEach((k, v) -> attrs.put(k, v));
    other.attributes.forEach((k, v) -> attrs.put(k, merge(attrs.getOrDefault(k, List.of()), v)));
    return new Audience(
        merge(tenants, other.tenants),
        merge(users, other.users),
        attrs,
        Math.max(percent, other.percent));
  }

  /** A short human description for history summaries and notifications: "tenants [acme] + 5%". */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (!tenants.isEmpty()) parts.add("tenants " + tenants);
    if (!users.isEmpty()) parts.add("users " + users);
    attributes.forEach((k, v) -> parts.add(k + " " + v));
    if (percent > 0 || parts.isEmpty()) parts.add(formatPercent(percent));
    return String.join(" + ", parts);
  }

  static String formatPercent(double percent) {
    return (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
  }

  private static List<String> merge(List<String> a, List<String> b) {
    LinkedHashSet<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
