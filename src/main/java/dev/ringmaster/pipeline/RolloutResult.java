package dev.ringmaster.pipeline;

/** How a rollout ended. */
public record RolloutResult(String id, State state, String message, RolloutStatus status) {}
