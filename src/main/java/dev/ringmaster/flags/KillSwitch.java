package dev.ringmaster.flags;

/**
 * The kill switch as a port for code outside the flag activities: a soak's watcher pulls it the moment its verdict
 * is FAILED, before the workflow hears of the verdict (see {@code AnalysisActivitiesImpl}). The same call, grouping
 * and metrics as the {@code KillSwitch} activity; idempotent.
 */
public interface KillSwitch {
  /** Turns {@code flag} off for everyone; throws when the provider refuses or cannot be reached. */
  FlagChange pull(FlagTarget flag);
}
