package dev.ringmaster.migration;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.Heartbeats;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.RolloutDefinition.Migration;
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
  public void checkExpandSafety(String rolloutId, Migration m) {
    List<String> problems = runners.forConnection(m.connection()).check(m.expand(), m.undo(), m.contract());
    if (!problems.isEmpty()) {
      throw new PermanentFailure("expand location " + m.expand() + " is not safe to roll out:\n  " + String.join("\n  ", problems)
          + "\nMove destructive statements to the contract location" + (m.undo() == null ? "." : "; give every expand script its undo script."));
    }
  }

  @Override
  public MigrationOutcome expandSchema(String rolloutId, Migration m) {
    try {
      return Heartbeats.whileRunning(() -> runners.forConnection(m.connection()).expand(m.expand(), rolloutId));
    } catch (NothingApplied e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), NOTHING_APPLIED);
    }
  }

  @Override
  public MigrationOutcome undoExpand(String rolloutId, Migration m) {
    return Heartbeats.whileRunning(() -> runners.forConnection(m.connection()).undo(m.undo(), rolloutId));
  }

  @Override
  public MigrationOutcome contractSchema(String rolloutId, Migration m) {
    return Heartbeats.whileRunning(() -> runners.forConnection(m.connection()).contract(m.contract(), rolloutId));
  }
}
