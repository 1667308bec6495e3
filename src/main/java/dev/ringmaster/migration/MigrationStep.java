package dev.ringmaster.migration;

/** A migration location on a named connection; the definition's directory resolves relative locations. */
public record MigrationStep(String connection, String location, String rolloutId) {}
