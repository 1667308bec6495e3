package dev.ringmaster.pipeline;

import java.util.List;

/**
 * An approve or reject from Slack, REST or the CLI. {@code groups} are the approver groups the caller was found to
 * belong to by the (trusted) entry point, since membership lookups are I/O and cannot happen in the workflow.
 * {@code gate}, when set, must name what is awaiting approval: a stale button for an earlier ring is refused.
 */
public record Decision(String by, String comment, String source, List<String> groups, String gate) {
  public Decision {
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  public static Decision of(String by, String comment, String source) {
    return new Decision(by, comment, source, List.of(), null);
  }
}
