package dev.ringmaster.analysis;

/** Raw numbers of one metric at one moment; null means the query returned no data. */
public record MetricReading(String metric, Double canary, Double control, Double samples) {}
