package dev.ringmaster.migration;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface MigrationActivities {
  /** Pre-flight: refuse an expand location that destroys or rewrites existing structure. */
  @ActivityMethod(name = "CheckExpandSafety")
  void checkExpandSafety(MigrationStep step);

  @ActivityMethod(name = "ExpandSchema")
  MigrationOutcome expandSchema(MigrationStep step);

  @ActivityMethod(name = "UndoExpand")
  MigrationOutcome undoExpand(MigrationStep step);

  @ActivityMethod(name = "ContractSchema")
  MigrationOutcome contractSchema(MigrationStep step);
}
