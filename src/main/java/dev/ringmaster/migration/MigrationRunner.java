package dev.ringmaster.migration;

import java.util.List;

/** Applies schema migrations on one datasource. Idempotent: a location applied twice is applied once. */
public interface MigrationRunner {

  /** Apply every pending migration in {@code location}; what was already applied is skipped. */
  MigrationOutcome apply(String location, String rolloutId);

  /** Problems that make {@code location} unsafe as an expand step (destructive statements), empty when safe. */
  List<String> checkExpand(String location);
}
