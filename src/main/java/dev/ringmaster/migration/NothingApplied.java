package dev.ringmaster.migration;

import dev.ringmaster.connection.PermanentFailure;

/**
 * A migration that could not even begin (the database refused the credentials, the database does not exist): a
 * permanent failure after which there is provably nothing to undo, so the rollback skips the undo scripts instead of
 * failing on the same refusal.
 */
public class NothingApplied extends PermanentFailure {
  public NothingApplied(String message) {
    super(message);
  }
}
