package dev.ringmaster.flags;

import dev.ringmaster.definition.Audience;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Flag steps as they appear in the Temporal history. */
@ActivityInterface
public interface FlagActivities {
  @ActivityMethod(name = "EnableRing")
  FlagChange enableRing(FlagTarget flag, String ring, Audience cumulative);

  @ActivityMethod(name = "KillSwitch")
  FlagChange killSwitch(FlagTarget flag);

  @ActivityMethod(name = "RemoveRingRules")
  FlagChange removeRingRules(FlagTarget flag);

  @ActivityMethod(name = "RetireFlag")
  FlagChange retireFlag(FlagTarget flag);
}
