package dev.ringmaster.migration;

import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.pipeline.TaskQueues;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.util.List;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
public class MigrationActivitiesImpl implements MigrationActivities {
  private final Adapters<MigrationRunner> runners;

  public MigrationActivitiesImpl(Adapters<MigrationRunner> runners) {
    this.runners = runners;
  }

  @Override
  public void checkExpandSafety(MigrationStep step) {
    List<String> problems = runners.forConnection(step.connection()).check(step.location(), step.undo(), step.contract());
    if (!problems.isEmpty()) {
      throw new PermanentFailure("expand location " + step.location() + " is not safe to roll out:\n  " + String.join("\n  ", problems)
          + "\nMove destructive statements to the contract location" + (step.undo() == null ? "." : "; give every expand script its undo script."));
    }
  }

  @Override
  public MigrationOutcome expandSchema(MigrationStep step) {
    try {
      return runners.forConnection(step.connection()).expand(step.location(), step.rolloutId());
    } catch (NothingApplied e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), NOTHING_APPLIED);
    }
  }

  @Override
  public MigrationOutcome undoExpand(MigrationStep step) {
    return runners.forConnection(step.connection()).undo(step.location(), step.rolloutId());
  }

  @Override
  public MigrationOutcome contractSchema(MigrationStep step) {
    return runners.forConnection(step.connection()).contract(step.location(), step.rolloutId());
  }
}
