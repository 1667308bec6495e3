package dev.ringmaster.support;

import dev.ringmaster.definition.ConnectionCatalog;
import dev.ringmaster.definition.DefinitionLoader;
import dev.ringmaster.definition.DefinitionValidator;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.pipeline.RolloutRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Definitions for tests, validated by the real loader against a catalog of test connections. */
public final class TestDefinitions {
  public static final Map<String, String> CONNECTIONS =
      Map.of("flags", "flagd-file", "deploy", "command", "prom", "prometheus", "scrape", "openmetrics", "db", "flyway", "unleash-prod", "unleash");

  public static final ConnectionCatalog CATALOG = new ConnectionCatalog() {
    @Override
    public Optional<String> kindOf(String name) {
      return Optional.ofNullable(CONNECTIONS.get(name));
    }

    @Override
    public Set<String> names() {
      return new java.util.TreeSet<>(CONNECTIONS.keySet());
    }

    @Override
    public Set<String> kindsFor(Port port) {
      return switch (port) {
        case FLAGS -> Set.of("flagd-file", "unleash");
        case DEPLOY -> Set.of("command");
        case ANALYSIS -> Set.of("prometheus", "openmetrics");
        case MIGRATION -> Set.of("flyway");
      };
    }
  };

  public static final DefinitionLoader LOADER = new DefinitionLoader(new DefinitionValidator(CATALOG, Duration.ofMinutes(10)));

  private TestDefinitions() {}

  public static RolloutDefinition load(String yaml) {
    return LOADER.load(yaml);
  }

  public static RolloutRequest request(String yaml, String version, String triggeredBy) {
    RolloutDefinition d = load(yaml);
    return new RolloutRequest(RolloutRequest.rolloutId(d.metadata().service(), version), d, version, "abc123",
        triggeredBy, "https://ci.example/run/1", Instant.parse("2026-11-23T00:00:00Z"), null, "rest");
  }

  /** Three rings (tenants → 5 % with an approval → everyone), 1 h soaks, no analysis. */
  public static String threeRings(String approval) {
    return DefinitionBuilder.checkout().ring("internal", "{ tenants: [acme-internal] }", "1h").ring("canary", "{ percent: 5 }", "1h", approval)
        .ring("everyone", "{ percent: 100 }", "1h").yaml();
  }

  public static final String APPROVAL = "{ approvers: [alice, bob, carol], quorum: 1, timeout: 4h, onTimeout: rollback }";

  /** Two rings with background analysis on the first: 2 h soak, 30 s interval. */
  public static final String WITH_ANALYSIS = DefinitionBuilder.checkout()
      .analysis("prom", "30s", 2, 3, 200, """
          - name: error-rate
            canary: sum(rate(errors{flag="on"}[2m]))
            control: sum(rate(errors{flag="off"}[2m]))
            samples: sum(increase(requests{flag="on"}[2m]))
            failIf: canary > control + 0.001
          """)
      .ring("canary", "{ percent: 5 }", "2h").ring("everyone", "{ percent: 100 }", "1h").yaml();

  /** An openmetrics error-rate gate on the traffic target ({@link TrafficTarget}) through a connection named {@code scrape}, every second. */
  public static String errorRateGate(int failureLimit) {
    return """
        analysis:
          connection: scrape
          interval: 1s
          failureLimit: %d
          inconclusiveLimit: 3
          minSamples: 50
          metrics:
            - name: error-rate
              canary: ratio(http_requests_total{flag="on",code=~"5.."}, http_requests_total{flag="on"})
              control: ratio(http_requests_total{flag="off",code=~"5.."}, http_requests_total{flag="off"})
              samples: increase(http_requests_total{flag="on"})
              failIf: canary > control + 0.05
        """.formatted(failureLimit);
  }

  /**
   * A rollout of {@code rings} rings of 24 h soaks with an approval of {@code quorum} on each and on the contract, gates
   * every {@code interval} on {@code metrics} metrics, and a migration: at the validator's bounds, the largest allowed.
   */
  public static String largest(int rings, int metrics, int quorum, String interval) {
    StringBuilder m = new StringBuilder();
    for (int i = 0; i < metrics; i++) {
      m.append("- { name: metric-").append(i).append(", canary: 'sum(rate(errors_").append(i).append("{flag=\"on\"}[1m]))', control: 'sum(rate(errors_")
          .append(i).append("{flag=\"off\"}[1m]))', failIf: 'canary > control + 0.01' }\n");
    }
    StringBuilder approvers = new StringBuilder();
    for (int q = 1; q <= quorum; q++) approvers.append(q == 1 ? "" : ", ").append("approver-").append(q);
    String approval = "{ approvers: [" + approvers + "], quorum: " + quorum + ", timeout: 72h, onTimeout: rollback }";
    DefinitionBuilder b = DefinitionBuilder.checkout().migration("db", "db/expand", "db/contract", "db/undo").analysis("prom", interval, 2, 3, 0, m.toString());
    for (int r = 0; r < rings; r++) {
      double pct = r == rings - 1 ? 100 : Math.round(100.0 * (r + 1) / rings * 10) / 10.0;
      b.ring("ring-" + r, "{ percent: " + pct + " }", "24h", approval);
    }
    return b.contractApproval(approval).yaml();
  }
}
