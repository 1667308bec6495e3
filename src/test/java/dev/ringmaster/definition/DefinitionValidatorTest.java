package dev.ringmaster.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.support.TestDefinitions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefinitionValidatorTest {
  static final String VALID = TestDefinitions.threeRings(TestDefinitions.APPROVAL);

  static List<String> problems(String yaml) {
    try {
      TestDefinitions.load(yaml);
    } catch (InvalidDefinitionException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    return List.of();
  }

  @Test
  void theDesignDocumentsShapeLoadsIntoRecords() {
    RolloutDefinition d = TestDefinitions.load(VALID);
    assertThat(d.metadata().service()).isEqualTo("checkout");
    assertThat(d.spec().rings()).extracting(RolloutDefinition.Ring::name).containsExactly("internal", "canary", "everyone");
    assertThat(d.spec().rings().get(1).approval().timeout()).isEqualTo(Duration.ofHours(4));
    assertThat(d.spec().rings().get(1).approval().onTimeout()).isEqualTo(RolloutDefinition.OnTimeout.ROLLBACK);
    assertThat(d.spec().rings().get(0).audience().tenants()).containsExactly("acme-internal");
    assertThat(d.spec().analysis()).isNull();
    assertThat(d.spec().migration()).isNull();
  }

  /** Valid with the shipped application.yaml's minimum soak for migrations (20s), and not with the 10m default. */
  @Test
  void theShippedExampleIsValid() throws Exception {
    String example = java.nio.file.Files.readString(java.nio.file.Path.of("workflows/example.yaml"))
        .replace("local-flags", "flags").replace("local-deploy", "deploy").replace("local-db", "db");
    RolloutDefinition d = new DefinitionLoader(new DefinitionValidator(TestDefinitions.CATALOG, Duration.ofSeconds(20))).load(example);
    assertThat(d.spec().migration().expand()).isEqualTo("example/db/expand");
    assertThat(problems(example)).hasSize(3).allMatch(p -> p.contains("is shorter than the 10m minimum for a rollout with a schema migration"));

    String reuse = java.nio.file.Files.readString(java.nio.file.Path.of("workflows/example-reuse.yaml"))
        .replace("local-flags", "flags").replace("local-deploy", "deploy").replace("local-db", "db");
    assertThat(new DefinitionLoader(new DefinitionValidator(TestDefinitions.CATALOG, Duration.ofSeconds(20))).load(reuse).spec().flag().reuse()).isTrue();
    assertThat(problems(example.replace("expires: 2027-06-30", "expires: 2027-06-30\n    reuse: yes please")))
        .contains("spec.flag.reuse: must be true or false, found 'yes please'");
  }

  @Test
  void presetsExpandIntoCumulativeRingsEndingAtEveryone() {
    String yaml = VALID.substring(0, VALID.indexOf("  rings:")).replace("spec:\n", "spec:\n  strategy: conservative\n");
    RolloutDefinition d = TestDefinitions.load(yaml);
    assertThat(d.spec().rings()).extracting(r -> r.audience().percent()).containsExactly(0.1, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0);
    for (Presets p : Presets.values()) {
      List<RolloutDefinition.Ring> rings = p.rings();
      assertThat(rings.get(rings.size() - 1).audience().percent()).as(p.strategyName()).isEqualTo(100);
    }
    assertThat(Presets.STANDARD.rings()).extracting(r -> r.audience().percent()).containsExactly(2.0, 10.0, 50.0, 100.0);
    assertThat(Presets.EMERGENCY.rings().get(0).soak()).isLessThan(Presets.STANDARD.rings().get(0).soak());
  }

  @Test
  void everyProblemIsReportedAtOnceWithItsPath() {
    String yaml = VALID.replace("percent: 5", "percent: 150").replace("soak: 1h\n      approval", "soak: 1 hour\n      approval")
        .replace("connection: flags", "connection: nowhere").replace("owner: team-checkout", "owner: team-checkout, color: blue");
    assertThat(problems(yaml)).containsExactlyInAnyOrder(
        "metadata.color: unknown field 'color' (hint: known fields here: service, domain, owner)",
        "spec.rings[1].soak: '1 hour' is not a duration; write e.g. 30s, 15m, 1h30m, 2d",
        "spec.flag.connection: connection 'nowhere' is not configured (hint: define it under ringmaster.connections in application.yaml; configured: db, deploy, flags, prom, scrape, unleash-prod)",
        "spec.rings[1].audience.percent: 150 is not within 0..100");
  }

  @Test
  void aRingThatShrinksTheAudienceIsRejected() {
    String yaml = VALID.replace("percent: 5", "percent: 50").replace("percent: 100", "percent: 10");
    assertThat(problems(yaml)).contains(
        "spec.rings[2].audience.percent: 10% shrinks the audience: ring 'canary' already reached 50% (hint: rings are cumulative; each ring's percent must be at least the one before)",
        "spec.rings[2].audience.percent: the last ring must reach everyone (percent: 100) before the contract step retires the flag (hint: add a final ring such as { name: everyone, audience: { percent: 100 }, soak: 1h })");
  }

  @Test
  void approvalsMustBeReachable() {
    assertThat(problems(TestDefinitions.threeRings("{ approvers: [], timeout: 1h }")))
        .anyMatch(p -> p.startsWith("spec.rings[1].approval.approvers: is empty: nobody could approve"));
    assertThat(problems(TestDefinitions.threeRings("{ approvers: [alice], quorum: 2, timeout: 1h }")))
        .contains("spec.rings[1].approval.quorum: quorum 2 can never be reached by 1 approver(s) (hint: lower the quorum or add approvers)");
    assertThat(problems(TestDefinitions.threeRings("{ approvers: [alice], onTimeout: later }")))
        .contains("spec.rings[1].approval.timeout: is required", "spec.rings[1].approval.onTimeout: 'later' is not an onTimeout policy (hint: use rollback or hold)");
    // A user group may hold many people, so a quorum above the list's length is allowed with one.
    assertThat(problems(TestDefinitions.threeRings("{ approvers: [S0614TZR7], quorum: 2, timeout: 1h }"))).isEmpty();
  }

  @Test
  void aRolloutsSizeIsBoundedSoItsHistoryStaysWithinTemporalsLimits() {
    int rings = DefinitionValidator.MAX_RINGS;
    int metrics = DefinitionValidator.MAX_METRICS;
    int quorum = DefinitionValidator.MAX_QUORUM;
    assertThat(problems(TestDefinitions.largest(rings, metrics, quorum, "1s"))).as("the largest allowed").isEmpty();
    assertThat(problems(TestDefinitions.largest(rings + 1, metrics, quorum, "1s"))).containsExactly("spec.rings: has 13 rings, more than the 12 a rollout may have"
        + " (hint: merge rings: each ring adds steps and an approval to the rollout's workflow history, which Temporal caps)");
    assertThat(problems(TestDefinitions.largest(rings, metrics + 1, quorum, "1s"))).singleElement().asString()
        .startsWith("spec.analysis.metrics: has 11 metrics, more than the 10 a rollout may gate on");
    List<String> tooMany = problems(TestDefinitions.largest(2, 1, quorum + 1, "1s"));
    assertThat(tooMany).hasSize(3).allMatch(p -> p.contains("approval.quorum: quorum 11 is more than the 10 approvals one gate may ask for"));
    assertThat(tooMany).anyMatch(p -> p.startsWith("spec.contract.approval.quorum"));
  }

  @Test
  void connectionsMustHaveAnAdapterForTheirPort() {
    assertThat(problems(VALID.replace("connection: flags", "connection: prom"))).containsExactly(
        "spec.flag.connection: connection 'prom' is of kind 'prometheus', which has no flags adapter in this build (hint: kinds available here: flagd-file, unleash)");
    assertThat(problems(VALID.replace("deploy: { connection: deploy }", "deploy: { connection: flags }"))).containsExactly(
        "spec.deploy.connection: connection 'flags' is of kind 'flagd-file', which has no deploy adapter in this build (hint: kinds available here: command)");
  }

  @Test
  void gateExpressionsAreCheckedWhenTheDefinitionIsValidated() {
    String yaml = TestDefinitions.WITH_ANALYSIS.replace("failIf: canary > control + 0.001", "failIf: canary >> 2");
    assertThat(problems(yaml)).singleElement().asString()
        .startsWith("spec.analysis.metrics[0].failIf: 'canary >> 2' is not a failIf expression; accepted forms:");
    assertThat(problems(TestDefinitions.WITH_ANALYSIS.replace("interval: 30s", "interval: 30"))).singleElement().asString()
        .startsWith("spec.analysis.interval: '30' is not a duration");
  }

  static String withTripwires(String tripwires) {
    return TestDefinitions.WITH_ANALYSIS.replace("  rings:\n", "    tripwires:\n" + tripwires.stripIndent().strip().indent(6) + "  rings:\n");
  }

  @Test
  void tripwiresLoadWithTheirDefaultsAndAreValidatedLikeMetrics() {
    RolloutDefinition d = TestDefinitions.load(withTripwires("""
        - name: error-spike
          canary: sum(rate(errors{flag="on"}[5s])) / sum(rate(requests{flag="on"}[5s]))
          samples: sum(increase(requests{flag="on"}[5s]))
          failIf: canary > 0.2
        - { name: latency-spike, canary: 'p99', control: 'p99c', samples: 'n', failIf: 'canary > control * 3', minSamples: 50, consecutive: 3 }
        """));
    assertThat(d.spec().analysis().tripwires()).extracting(RolloutDefinition.Tripwire::name).containsExactly("error-spike", "latency-spike");
    RolloutDefinition.Tripwire spike = d.spec().analysis().tripwires().get(0);
    assertThat(spike.minSamples()).isEqualTo(20);
    assertThat(spike.consecutive()).isEqualTo(5);
    assertThat(spike.queries()).isEqualTo(2);
    assertThat(d.spec().analysis().tripwires().get(1).queries()).isEqualTo(3);
    assertThat(TestDefinitions.load(TestDefinitions.WITH_ANALYSIS).spec().analysis().tripwires()).isEmpty();

    assertThat(problems(withTripwires("""
        - { name: error-rate, canary: c, samples: n, failIf: canary > 0.2 }
        - { name: b, canary: c, failIf: canary > 0.2 }
        - { name: c, canary: c, samples: n, failIf: canary > control }
        - { name: d, canary: c, samples: n, failIf: canary >> 1, consecutive: 11 }
        - { name: e, canary: c, samples: n, failIf: canary > 1, consecutive: 0, minSamples: -1, every: 1s }
        """))).containsExactlyInAnyOrder(
        "spec.analysis.tripwires[1].samples: is required",
        "spec.analysis.tripwires[4].consecutive: 0 must be at least 1",
        "spec.analysis.tripwires[4].minSamples: -1 must be at least 0",
        "spec.analysis.tripwires[4].every: unknown field 'every' (hint: known fields here: name, canary, control, samples, failIf, minSamples, consecutive)",
        "spec.analysis.tripwires: has 5 tripwires, more than the 3 a rollout may have (hint: each tripwire queries the source four times a second "
            + "through every soak; keep the hard limits that must act at once (errors, saturation))",
        "spec.analysis.tripwires[0].name: 'error-rate' already names a metric or a tripwire (hint: names are shown in verdicts: keep them distinct)",
        "spec.analysis.tripwires[2].control: is required: failIf compares against control (hint: add a control query over the flag-off population)",
        "spec.analysis.tripwires[3].consecutive: 11 is more than 10 (hint: a tripwire acts within seconds; for a slower, steadier judgement "
            + "use a metric and failureLimit)",
        "spec.analysis.tripwires[3].failIf: 'canary >> 1' is not a failIf expression; accepted forms: " + dev.ringmaster.analysis.FailCondition.FORMS);
  }

  @Test
  void aDefinitionWithAMigrationNeedsLongerSoaks() {
    String yaml = VALID.replace("  deploy: { connection: deploy }", "  deploy: { connection: deploy }\n  migration: { connection: db, expand: db/expand }")
        .replace("soak: 1h\n    - name: canary", "soak: 5m\n    - name: canary");
    assertThat(problems(yaml)).containsExactly(
        "spec.rings[0].soak: 5m is shorter than the 10m minimum for a rollout with a schema migration (hint: soak at least 10m: a migration's problems take longer to show)");
  }

  @Test
  void malformedYamlAndWrongTypesAreClearErrors() {
    assertThat(problems("spec: [unclosed")).singleElement().asString().startsWith("(document): is not valid YAML at line");
    assertThat(problems("- just a list")).singleElement().asString().startsWith("(document): must be a YAML mapping");
    assertThat(problems(VALID.replace("rings:", "rings: 3\n  x:").replaceAll("(?s)\\n    - name.*", "\n")))
        .contains("spec.rings: must be a list, found the number 3");
    assertThatThrownBy(() -> TestDefinitions.load("")).isInstanceOf(InvalidDefinitionException.class);
  }

  @Test
  void durationsParseTheWaysPeopleWriteThem() {
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThatThrownBy(() -> Durations.parse("1.5h")).hasMessageContaining("is not a duration");
  }
}
