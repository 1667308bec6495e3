package dev.ringmaster.analysis;

import java.util.EnumMap;
import java.util.Map;

/** What a soak measured, kept small for the history: counts per outcome, the last and the worst measurement. */
public record SoakSummary(int measurements, Map<Outcome, Integer> counts, Measurement last, Measurement worst) {
  public static final SoakSummary EMPTY = new SoakSummary(0, Map.of(), null, null);

  public SoakSummary {
    counts = Map.copyOf(counts);
  }

  public SoakSummary with(Measurement m) {
    Map<Outcome, Integer> c = new EnumMap<>(Outcome.class);
    c.putAll(counts);
    c.merge(m.outcome(), 1, Integer::sum);
    Measurement w = worst == null || m.outcome().ordinal() > worst.outcome().ordinal() ? m : worst;
    return new SoakSummary(measurements + 1, c, m, w);
  }
}
