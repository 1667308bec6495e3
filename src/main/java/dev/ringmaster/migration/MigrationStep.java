package dev.ringmaster.migration;

/**
 * A migration location on a named connection, already resolved against the definition's directory. {@code undo}
 * is the undo location when the definition has one (the pre-flight check verifies every expand script has its undo).
 */
public record MigrationStep(String connection, String location, String undo, String rolloutId) {}
