package dev.ringmaster.migration;

import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.pipeline.TaskQueues;
import io.temporal.spring.boot.ActivityImpl;
import java.util.List;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
class MigrationActivitiesImpl implements MigrationActivities {
  private final Adapters<MigrationRunner> runners;

  MigrationActivitiesImpl(Adapters<MigrationRunner> runners) {
    this.runners = runners;
  }

  @Override
  public void checkExpandSafety(MigrationStep step) {
    List<String> problems = runners.forConnection(step.connection()).checkExpand(step.location());
    if (!problems.isEmpty()) {
      throw new PermanentFailure("expand location " + step.location() + " is not additive:\n  " + String.join("\n  ", problems)
          + "\nMove destructive statements to the contract location.");
    }
  }

  @Override
  public MigrationOutcome expandSchema(MigrationStep step) {
    return apply(step);
  }

  @Override
  public MigrationOutcome undoExpand(MigrationStep step) {
    return apply(step);
  }

  @Override
  public MigrationOutcome contractSchema(MigrationStep step) {
    return apply(step);
  }

  private MigrationOutcome apply(MigrationStep step) {
    return runners.forConnection(step.connection()).apply(step.location(), step.rolloutId());
  }
}
