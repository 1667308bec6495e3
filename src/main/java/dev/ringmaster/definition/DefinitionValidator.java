package dev.ringmaster.definition;

import dev.ringmaster.analysis.FailCondition;
import dev.ringmaster.definition.ConnectionCatalog.Port;
import dev.ringmaster.definition.RolloutDefinition.Approval;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import dev.ringmaster.definition.RolloutDefinition.Spec;
import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The semantic rules of a definition, checked on the records the loader read (which may be partial when the YAML
 * had structural problems, hence the null checks): names usable in workflow IDs, known presets, cumulative rings,
 * reachable approvals, connections that exist and have an adapter for their port, parseable gate expressions.
 */
public final class DefinitionValidator {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern FLAG_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /**
   * Bounds that keep the largest rollout's workflow history far below Temporal's limits (51,200 events, 50 MB; 2 MB
   * per payload): measured in HistorySizeTest, figures in BENCHMARKS.md. Rings and approvals add events; metrics add
   * bytes to every soak verdict, the status and the result (their chart series share SoakSummary's value budget).
   */
  public static final int MAX_RINGS = 12;
  public static final int MAX_METRICS = 10;
  public static final int MAX_QUORUM = 10;
  /** Tripwires run four times a second through every soak: a few per rollout keep its query rate small (README). */
  public static final int MAX_TRIPWIRES = 3;
  public static final int MAX_CONSECUTIVE = 10;

  private final ConnectionCatalog connections;
  private final Duration minSoakWithMigration;

  /**
   * @param minSoakWithMigration the shortest soak allowed per ring when the definition migrates a schema: a
   *     migration's problems (locks, slow queries on new columns) take longer to show than a code path's
   */
  public DefinitionValidator(ConnectionCatalog connections, Duration minSoakWithMigration) {
    this.connections = connections;
    this.minSoakWithMigration = minSoakWithMigration;
  }

  public List<Problem> validate(RolloutDefinition d) {
    List<Problem> p = new ArrayList<>();
    if (d.apiVersion() != null && !d.apiVersion().equals("ringmaster/v1")) {
      p.add(new Problem("apiVersion", "'" + d.apiVersion() + "' is not supported", "use ringmaster/v1"));
    }
    if (d.kind() != null && !d.kind().equals("Rollout")) {
      p.add(new Problem("kind", "'" + d.kind() + "' is not supported", "use Rollout"));
    }
    if (d.metadata() != null) {
      name(p, "metadata.service", d.metadata().service());
      name(p, "metadata.domain", d.metadata().domain());
    }
    if (d.spec() != null) {
      spec(p, d.spec());
      if (d.metadata() != null) scopes(p, d.metadata(), d.spec());
    }
    return p;
  }

  private void spec(List<Problem> p, Spec s) {
    if (s.strategy() != null && Presets.named(s.strategy()).isEmpty()) {
      p.add(new Problem("spec.strategy", "'" + s.strategy() + "' is not a preset", "use one of " + Presets.names()));
    }
    if (s.flag() != null) {
      if (s.flag().key() != null && !FLAG_KEY.matcher(s.flag().key()).matches()) {
        p.add(new Problem("spec.flag.key", "'" + s.flag().key() + "' is not a valid flag key", "letters, digits, '.', '_' and '-'"));
      }
      connection(p, Port.FLAGS, s.flag().connection());
    }
    if (s.deploy() != null) connection(p, Port.DEPLOY, s.deploy().connection());
    if (s.migration() != null) connection(p, Port.MIGRATION, s.migration().connection());
    if (s.analysis() != null) analysis(p, s.analysis());
    rings(p, s);
    if (s.contract() != null && s.contract().approval() != null) {
      approval(p, "spec.contract.approval", s.contract().approval());
    }
  }

  /** Each connection may be scoped to services and domains; a deploy connection may constrain the target. */
  private void scopes(List<Problem> p, RolloutDefinition.Metadata md, Spec s) {
    if (s.flag() != null) scope(p, Port.FLAGS, s.flag().connection(), md);
    if (s.migration() != null) scope(p, Port.MIGRATION, s.migration().connection(), md);
    if (s.analysis() != null) scope(p, Port.ANALYSIS, s.analysis().connection(), md);
    if (s.deploy() != null && s.deploy().connection() != null) {
      scope(p, Port.DEPLOY, s.deploy().connection(), md);
      connections.targetProblems(s.deploy().connection(), s.deploy().target())
          .forEach((field, problem) -> p.add(new Problem("spec.deploy.target." + field, problem, "the connection's target settings say what it may deploy")));
    }
  }

  private void scope(List<Problem> p, Port port, String connection, RolloutDefinition.Metadata md) {
    if (connection == null || connections.kindOf(connection).isEmpty()) return;
    connections.scopeRefusal(connection, md.service(), md.domain())
        .ifPresent(why -> p.add(new Problem(port.definitionPath, why, "use a connection configured for this service, or ask the platform team to extend its services/domains")));
  }

  private void rings(List<Problem> p, Spec s) {
    List<Ring> rings = s.rings();
    if (rings.isEmpty()) {
      if (s.strategy() != null && Presets.named(s.strategy()).isPresent()) return;
      p.add(new Problem("spec.rings", "has no rings", "list at least one ring, the last with percent: 100"));
      return;
    }
    if (rings.size() > MAX_RINGS) {
      p.add(new Problem("spec.rings", "has " + rings.size() + " rings, more than the " + MAX_RINGS + " a rollout may have",
          "merge rings: each ring adds steps and an approval to the rollout's workflow history, which Temporal caps"));
    }
    Set<String> names = new HashSet<>();
    double maxPercent = 0;
    String maxRing = null;
    for (int i = 0; i < rings.size(); i++) {
      Ring r = rings.get(i);
      String path = "spec.rings[" + i + "]";
      if (r.name() != null) {
        name(p, path + ".name", r.name());
        if (!names.add(r.name())) p.add(new Problem(path + ".name", "'" + r.name() + "' names two rings", "ring names must be unique"));
      }
      if (r.soak() != null) {
        if (r.soak().isZero() || r.soak().isNegative()) {
          p.add(new Problem(path + ".soak", "must be longer than 0s", null));
        } else if (s.migration() != null && r.soak().compareTo(minSoakWithMigration) < 0) {
          p.add(new Problem(path + ".soak", Durations.format(r.soak()) + " is shorter than the "
              + Durations.format(minSoakWithMigration) + " minimum for a rollout with a schema migration",
              "soak at least " + Durations.format(minSoakWithMigration) + ": a migration's problems take longer to show"));
        }
      }
      if (r.approval() != null) approval(p, path + ".approval", r.approval());
      Audience a = r.audience();
      if (a == null) continue;
      if (a.percent() < 0 || a.percent() > 100) {
        p.add(new Problem(path + ".audience.percent", Audience.formatPercent(a.percent()).replace("%", "") + " is not within 0..100", null));
      } else if (a.percent() < maxPercent) {
        p.add(new Problem(path + ".audience.percent",
            Audience.formatPercent(a.percent()) + " shrinks the audience: ring '" + maxRing + "' already reached " + Audience.formatPercent(maxPercent),
            "rings are cumulative; each ring's percent must be at least the one before"));
      }
      if (a.tenants().isEmpty() && a.users().isEmpty() && a.attributes().isEmpty() && a.percent() == 0) {
        p.add(new Problem(path + ".audience", "is empty", "name tenants, users, attributes or a percent"));
      }
      if (a.percent() > maxPercent && a.percent() <= 100) {
        maxPercent = a.percent();
        maxRing = r.name();
      }
    }
    if (maxPercent < 100) {
      p.add(new Problem("spec.rings[" + (rings.size() - 1) + "].audience.percent",
          "the last ring must reach everyone (percent: 100) before the contract step retires the flag",
          "add a final ring such as { name: everyone, audience: { percent: 100 }, soak: 1h }"));
    }
  }

  private void approval(List<Problem> p, String path, Approval a) {
    if (a.approvers().isEmpty()) {
      p.add(new Problem(path + ".approvers", "is empty: nobody could approve", "list Slack user IDs (U…), user-group IDs (S…) or REST identities"));
    } else if (a.approvers().stream().noneMatch(id -> id.startsWith("S")) && a.quorum() > a.approvers().size()) {
      p.add(new Problem(path + ".quorum", "quorum " + a.quorum() + " can never be reached by " + a.approvers().size() + " approver(s)",
          "lower the quorum or add approvers"));
    }
    if (a.quorum() > MAX_QUORUM) {
      p.add(new Problem(path + ".quorum", "quorum " + a.quorum() + " is more than the " + MAX_QUORUM + " approvals one gate may ask for",
          "ask fewer people: " + MAX_QUORUM + " approvals are already a committee"));
    }
    if (a.timeout() != null && (a.timeout().isZero() || a.timeout().isNegative())) {
      p.add(new Problem(path + ".timeout", "must be longer than 0s", null));
    }
  }

  private void analysis(List<Problem> p, RolloutDefinition.Analysis a) {
    connection(p, Port.ANALYSIS, a.connection());
    if (a.interval() != null && a.interval().compareTo(Duration.ofSeconds(1)) < 0) {
      p.add(new Problem("spec.analysis.interval", Durations.format(a.interval()) + " is shorter than 1s", null));
    }
    if (a.metrics().isEmpty()) {
      p.add(new Problem("spec.analysis.metrics", "is empty", "list at least one metric with canary, control and failIf"));
    }
    if (a.metrics().size() > MAX_METRICS) {
      p.add(new Problem("spec.analysis.metrics", "has " + a.metrics().size() + " metrics, more than the " + MAX_METRICS + " a rollout may gate on",
          "gate on the few signals that decide a release (errors, latency, saturation); every metric's chart is kept in each soak's verdict"));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < a.metrics().size(); i++) {
      Metric m = a.metrics().get(i);
      String path = "spec.analysis.metrics[" + i + "]";
      if (m.name() != null && !names.add(m.name())) p.add(new Problem(path + ".name", "'" + m.name() + "' names two metrics", null));
      failIf(p, path, m);
    }
    if (a.tripwires().size() > MAX_TRIPWIRES) {
      p.add(new Problem("spec.analysis.tripwires", "has " + a.tripwires().size() + " tripwires, more than the " + MAX_TRIPWIRES + " a rollout may have",
          "each tripwire queries the source four times a second through every soak; keep the hard limits that must act at once (errors, saturation)"));
    }
    for (int i = 0; i < a.tripwires().size(); i++) {
      Tripwire t = a.tripwires().get(i);
      String path = "spec.analysis.tripwires[" + i + "]";
      if (t.name() != null && !names.add(t.name())) {
        p.add(new Problem(path + ".name", "'" + t.name() + "' already names a metric or a tripwire", "names are shown in verdicts: keep them distinct"));
      }
      if (t.consecutive() > MAX_CONSECUTIVE) {
        p.add(new Problem(path + ".consecutive", t.consecutive() + " is more than " + MAX_CONSECUTIVE,
            "a tripwire acts within seconds; for a slower, steadier judgement use a metric and failureLimit"));
      }
      failIf(p, path, t.asMetric());
    }
  }

  private static void failIf(List<Problem> p, String path, Metric m) {
    if (m.failIf() == null) return;
    try {
      FailCondition c = FailCondition.parse(m.failIf());
      if (c.againstControl() && m.control() == null) {
        p.add(new Problem(path + ".control", "is required: failIf compares against control", "add a control query over the flag-off population"));
      }
    } catch (IllegalArgumentException e) {
      p.add(new Problem(path + ".failIf", e.getMessage(), null));
    }
  }

  private void connection(List<Problem> p, Port port, String name) {
    if (name == null) return;
    var kind = connections.kindOf(name);
    if (kind.isEmpty()) {
      p.add(new Problem(port.definitionPath, "connection '" + name + "' is not configured",
          "define it under ringmaster.connections in application.yaml; configured: " + String.join(", ", connections.names())));
    } else if (!connections.kindsFor(port).contains(kind.get())) {
      p.add(new Problem(port.definitionPath, "connection '" + name + "' is of kind '" + kind.get() + "', which has no "
          + port.name().toLowerCase() + " adapter in this build", "kinds available here: " + String.join(", ", new java.util.TreeSet<>(connections.kindsFor(port)))));
    }
  }

  private static void name(List<Problem> p, String path, String value) {
    if (value != null && !NAME.matcher(value).matches()) {
      p.add(new Problem(path, "'" + value + "' is not a valid name", "lower-case letters, digits and '-', at most 63 characters (it becomes part of the workflow ID)"));
    }
  }
}
