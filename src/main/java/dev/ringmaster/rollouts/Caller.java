package dev.ringmaster.rollouts;

import java.util.List;

/**
 * Who asks for a command and through which entry point ({@code rest}, {@code slack}, {@code cli}). {@code groups} are
 * the approver groups the entry point found the caller in (membership lookups are I/O, so they happen here, not in
 * the workflow). Identity and authorization plug in where callers are made: one per entry point.
 */
public record Caller(String identity, String source, List<String> groups) {
  public Caller {
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  public static Caller of(String identity, String source) {
    return new Caller(identity, source, List.of());
  }
}
