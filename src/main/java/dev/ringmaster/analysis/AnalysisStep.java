package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Analysis;

public record AnalysisStep(String rolloutId, String ring, Analysis analysis) {}
