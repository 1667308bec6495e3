package dev.ringmaster.migration;

import java.util.List;

/**
 * Applies schema migrations on one datasource, following expand/contract: {@code expand} only adds, {@code undo}
 * takes back what one rollout's expand added, {@code contract} removes what the old version needed. Every method
 * is idempotent: a location applied twice is applied once, and an undo retried after a crash undoes nothing twice.
 */
public interface MigrationRunner {

  /** Apply every pending migration in the expand {@code location}, recording {@code rolloutId} as the installer. */
  MigrationOutcome expand(String location, String rolloutId);

  /** Undo, newest first, the expand migrations that {@code rolloutId} applied, with the scripts in {@code undoLocation}. */
  MigrationOutcome undo(String undoLocation, String rolloutId);

  /** Apply every pending migration in the contract {@code location}; what was already applied is skipped. */
  MigrationOutcome contract(String location, String rolloutId);

  /**
   * Pre-flight, before anything is applied: problems that make {@code expandLocation} unsafe as an expand step
   * (statements that destroy or rewrite existing structure), expand migrations {@code undoLocation} (if given) has no
   * undo script for, and a {@code contractLocation} (if given) that cannot be read. Empty when all is well. Reads the
   * scripts only; nothing touches the database.
   */
  List<String> check(String expandLocation, String undoLocation, String contractLocation);
}
