package dev.ringmaster.migration;

import java.time.Duration;
import java.util.List;

/** What a migration step applied, for the history: the versions applied (empty when all were applied before) and the time taken. */
public record MigrationOutcome(String location, List<String> versionsApplied, Duration took, String note) {
  public MigrationOutcome {
    versionsApplied = List.copyOf(versionsApplied);
  }
}
