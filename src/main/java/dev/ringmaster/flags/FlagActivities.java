package dev.ringmaster.flags;

import dev.ringmaster.definition.Audience;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Flag steps as they appear in the Temporal history. */
@ActivityInterface
public interface FlagActivities {
  /**
   * The flag's state before this rollout's first ring, recorded in the history for {@link #restoreFlag}. Refuses
   * (permanently) a flag an earlier rollout fully released, unless {@code reuse}.
   */
  @ActivityMethod(name = "CaptureFlagState")
  FlagSnapshot captureFlagState(FlagTarget flag, boolean reuse);

  @ActivityMethod(name = "RestoreFlag")
  FlagChange restoreFlag(FlagTarget flag, FlagSnapshot prior);

  @ActivityMethod(name = "EnableRing")
  FlagChange enableRing(FlagTarget flag, String ring, Audience cumulative);

  @ActivityMethod(name = "KillSwitch")
  FlagChange killSwitch(FlagTarget flag);

  @ActivityMethod(name = "RemoveRingRules")
  FlagChange removeRingRules(FlagTarget flag);

  @ActivityMethod(name = "RetireFlag")
  FlagChange retireFlag(FlagTarget flag);
}
