package dev.ringmaster.migration;

import dev.ringmaster.definition.RolloutDefinition.Migration;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Schema steps of one rollout. {@code migration} is the definition's, with its locations already resolved at the
 * API boundary (absolute or {@code classpath:}); each method uses the location it is named after.
 */
@ActivityInterface
public interface MigrationActivities {
  /** The failure type of an expand that could not begin ({@link NothingApplied}): the rollback has nothing to undo. */
  String NOTHING_APPLIED = "MigrationNothingApplied";

  /** Pre-flight: refuse an expand location that destroys or rewrites existing structure. */
  @ActivityMethod(name = "CheckExpandSafety")
  void checkExpandSafety(String rolloutId, Migration migration);

  @ActivityMethod(name = "ExpandSchema")
  MigrationOutcome expandSchema(String rolloutId, Migration migration);

  @ActivityMethod(name = "UndoExpand")
  MigrationOutcome undoExpand(String rolloutId, Migration migration);

  @ActivityMethod(name = "ContractSchema")
  MigrationOutcome contractSchema(String rolloutId, Migration migration);
}
