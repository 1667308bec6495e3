package dev.ringmaster.migration;

/**
 * A migration location on a named connection, already resolved against the definition's directory. For the
 * pre-flight check, {@code undo} and {@code contract} are the definition's other locations (null when absent).
 */
public record MigrationStep(String connection, String location, String undo, String contract, String rolloutId) {}
