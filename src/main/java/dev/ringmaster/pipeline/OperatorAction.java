package dev.ringmaster.pipeline;

/** Who asked for an abort / pause / resume / promote / retry, and why. */
public record OperatorAction(String by, String reason) {}
