package dev.ringmaster.rollouts;

/** Start a rollout: the definition inline (YAML) or a path under the workflows directory, and the version to roll out. */
public record StartRequest(String definition, String definitionPath, String version, String commit, String ciRunUrl) {}
