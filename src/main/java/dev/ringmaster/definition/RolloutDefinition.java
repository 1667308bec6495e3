package dev.ringmaster.definition;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A rollout definition ({@code workflows/<service>.yaml}) after loading and validation. Immutable; presets are
 * already expanded into {@link Spec#rings()}, so the workflow never needs to know about presets. It travels into
 * the workflow as input, which is why it holds connection names only, never secrets.
 */
public record RolloutDefinition(String apiVersion, String kind, Metadata metadata, Spec spec) {

  /** The same definition with another migration (its locations resolved where the request entered). */
  public RolloutDefinition withMigration(Migration migration) {
    Spec s = spec;
    return new RolloutDefinition(apiVersion, kind, metadata, new Spec(s.strategy(), s.flag(), migration, s.deploy(),
        s.analysis(), s.rings(), s.contract(), s.notifications()));
  }

  public record Metadata(String service, String domain, String owner) {}

  public record Spec(
      String strategy,
      Flag flag,
      Migration migration,
      Deploy deploy,
      Analysis analysis,
      List<Ring> rings,
      Contract contract,
      Notify notifications) {
    public Spec {
      rings = List.copyOf(rings);
    }
  }

  /**
   * The release flag. {@code reuse}: the definition knowingly rolls out again a flag that an earlier rollout fully
   * released (on for everyone and retired/archived); without it such a flag is refused at pre-flight.
   */
  public record Flag(String key, String connection, LocalDate expires, boolean reuse) {}

  /** Optional. {@code undo} is optional inside it: without it an expanded schema stays on rollback. */
  public record Migration(String connection, String expand, String contract, String undo) {}

  /** {@code target} is adapter-specific (namespace/deployment/container for Kubernetes, nothing for command). */
  public record Deploy(String connection, Map<String, String> target) {
    public Deploy {
      target = Map.copyOf(target);
    }
  }

  public record Analysis(
      String connection,
      Duration interval,
      int failureLimit,
      int inconclusiveLimit,
      long minSamples,
      List<Metric> metrics,
      List<Tripwire> tripwires) {
    public Analysis {
      metrics = List.copyOf(metrics);
      tripwires = tripwires == null ? List.of() : List.copyOf(tripwires); // definitions started before tripwires have none
    }

    /** Without tripwires. */
    public Analysis(String connection, Duration interval, int failureLimit, int inconclusiveLimit, long minSamples, List<Metric> metrics) {
      this(connection, interval, failureLimit, inconclusiveLimit, minSamples, metrics, List.of());
    }
  }

  public record Metric(String name, String canary, String control, String samples, String failIf) {}

  /**
   * A hard limit checked at the connection's fast cadence ({@code tripwire-every}, 250 ms) through the whole soak,
   * apart from the {@code interval} measurements: {@code consecutive} checks in a row that cross {@code failIf}, each
   * with at least {@code minSamples} in {@code samples}, fail the soak at once. It never promotes anything.
   */
  public record Tripwire(String name, String canary, String control, String samples, String failIf, long minSamples, int consecutive) {
    public static final long DEFAULT_MIN_SAMPLES = 20;
    public static final int DEFAULT_CONSECUTIVE = 5;

    /** The queries and condition, as a metric every source reads. */
    public Metric asMetric() {
      return new Metric(name, canary, control, samples, failIf);
    }

    /** How many queries one check runs. */
    public int queries() {
      return 1 + (control == null ? 0 : 1) + (samples == null ? 0 : 1);
    }
  }

  public record Ring(String name, Audience audience, Duration soak, Approval approval) {}

  public record Contract(Approval approval) {}

  public record Notify(Slack slack) {}

  public record Slack(String channel) {}

  public enum OnTimeout {
    ROLLBACK,
    HOLD
  }

  public record Approval(List<String> approvers, int quorum, Duration timeout, OnTimeout onTimeout) {
    public Approval {
      approvers = List.copyOf(approvers);
    }
  }
}
