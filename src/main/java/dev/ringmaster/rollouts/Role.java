package dev.ringmaster.rollouts;

import java.util.Locale;

/**
 * What a caller may do. {@code operate} covers abort, pause, resume, promote and retry; {@code admin} everything,
 * including creating tokens. Approving also needs the caller among the definition's approvers (the workflow checks).
 */
public enum Role {
  TRIGGER, APPROVE, OPERATE, READ, ADMIN;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String s) {
    try {
      return valueOf(s.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + s + "' is not a role (trigger, approve, operate, read, admin)");
    }
  }
}
