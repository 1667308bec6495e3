package dev.ringmaster.pipeline;

import io.temporal.failure.ApplicationFailure;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A refused approve/reject, as the caller should hear it. The SDK wraps a validator's {@link ApplicationFailure}
 * on its way to the client, so this walks the cause chain for the one {@link ApprovalGate} threw.
 */
public record Refusal(String type, String message) {
  private static final Pattern PREFIXED = Pattern.compile("\\[(\\w+)\\] (.*)", Pattern.DOTALL);
  private static final Set<String> TYPES = Set.of(ApprovalGate.NOTHING_AWAITING, ApprovalGate.STALE, ApprovalGate.NOT_AN_APPROVER,
      ApprovalGate.SELF_APPROVAL, ApprovalGate.DUPLICATE, ApprovalGate.INVALID);

  public static Optional<Refusal> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) {
        if (TYPES.contains(af.getType())) return Optional.of(new Refusal(af.getType(), unprefixed(af.getOriginalMessage())));
        // SDK 1.38 re-wraps a validator's failure and drops its type on the way to the client; the type travels
        // as a "[Type] " prefix of the message (ApprovalGate#refuse) and is recovered here.
        Matcher m = PREFIXED.matcher(af.getOriginalMessage());
        if (m.matches() && TYPES.contains(m.group(1))) return Optional.of(new Refusal(m.group(1), m.group(2)));
      }
    }
    return Optional.empty();
  }

  private static String unprefixed(String message) {
    Matcher m = PREFIXED.matcher(message);
    return m.matches() ? m.group(2) : message;
  }

  /** Forbidden (403) rather than conflicting with the rollout's state (409). */
  public boolean forbidden() {
    return type.equals(ApprovalGate.NOT_AN_APPROVER) || type.equals(ApprovalGate.SELF_APPROVAL);
  }

  public boolean invalid() {
    return type.equals(ApprovalGate.INVALID);
  }
}
