package dev.ringmaster.definition;

import dev.ringmaster.definition.RolloutDefinition.Ring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Ring schedules teams already use. A definition names one in {@code spec.strategy}; {@code spec.rings}, when
 * present, overrides it. Preset rings carry no approval; the contract step's approval still applies.
 */
public enum Presets {
  STANDARD(Duration.ofHours(1), 2, 10, 50, 100),
  CONSERVATIVE(Duration.ofHours(2), 0.1, 1, 5, 10, 25, 50, 100),
  AGGRESSIVE(Duration.ofMinutes(30), 1, 5, 25, 50, 100),
  EMERGENCY(Duration.ofMinutes(5), 10, 50, 100);

  private final Duration soak;
  private final double[] percents;

  Presets(Duration soak, double... percents) {
    this.soak = soak;
    this.percents = percents;
  }

  public static Optional<Presets> named(String name) {
    return Arrays.stream(values()).filter(p -> p.strategyName().equals(name)).findFirst();
  }

  public String strategyName() {
    return name().toLowerCase();
  }

  public List<Ring> rings() {
    List<Ring> rings = new ArrayList<>();
    for (double p : percents) {
      String name = p >= 100 ? "everyone" : "pct-" + Audience.formatPercent(p).replace("%", "").replace(".", "-");
      rings.add(new Ring(name, Audience.percent(p), soak, null));
    }
    return rings;
  }

  public static String names() {
    return String.join(" | ", Arrays.stream(values()).map(Presets::strategyName).toList());
  }
}
