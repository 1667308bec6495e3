package dev.ringmaster.flags;

import dev.ringmaster.definition.Audience;
import java.util.List;

/**
 * The release flag at a feature-flag provider. Every method is idempotent: an activity retried after a crash calls
 * it again with the same arguments and must leave exactly the same state (one rule per ring, not two).
 */
public interface FlagProvider {

  /**
   * Read the flag as it is now, before this rollout changes it (read only). A flag that does not exist is
   * {@link FlagSnapshot#absent}.
   */
  FlagSnapshot capture(FlagTarget flag);

  /** Turn the flag on for {@code cumulative}, the union of every ring up to and including {@code ring}. */
  FlagChange enable(FlagTarget flag, String ring, Audience cumulative);

  /** Turn the flag off for everyone in one provider call. The first compensation: it must be fast. */
  FlagChange killSwitch(FlagTarget flag);

  /**
   * The kill switch of several flags at once, when many rollouts roll back together: in as few provider calls as the
   * provider allows (one file write, one bulk request), one change per flag in order. All or nothing: when it throws,
   * each flag gets its own {@link #killSwitch} (see {@code KillSwitchBatcher}). By default, one call per flag.
   */
  default List<FlagChange> killSwitchAll(List<FlagTarget> flags) {
    return flags.stream().map(this::killSwitch).toList();
  }

  /** Remove the rules the rollout added, leaving the flag off. Runs after the kill switch on rollback. */
  FlagChange removeRules(FlagTarget flag);

  /**
   * Rollback, after the kill switch: put the flag back as {@code prior} recorded it (on/off, rules, archived). A flag
   * that did not exist before stays, off for everyone and without rules, so SDKs answer "off", not "flag not found".
   */
  FlagChange restore(FlagTarget flag, FlagSnapshot prior);

  /** Contract cleanup: the feature is everyone's now, the flag is retired (archived / removed). */
  FlagChange retire(FlagTarget flag);
}
