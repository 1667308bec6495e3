package dev.ringmaster.migration;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface MigrationActivities {
  /** The failure type of an expand that could not begin ({@link NothingApplied}): the rollback has nothing to undo. */
  String NOTHING_APPLIED = "MigrationNothingApplied";

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
