package dev.ringmaster.deploy;

import java.time.Duration;

/** A finished deploy as the history shows it: previous and new version, time until ready, the tail of the platform's output. */
public record DeployOutcome(String previousVersion, String version, Duration timeToReady, String output) {}
