package dev.ringmaster.rollouts;

import dev.ringmaster.pipeline.State;

/** A started (or, for a retried trigger, already existing) rollout. */
public record Started(String id, boolean created, State state) {}
