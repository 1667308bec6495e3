package dev.ringmaster.flags.flagdfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the flagd-file adapter writes, evaluated by the real OpenFeature Java SDK with its flagd provider in FILE
 * mode (the way services read the flag): 10,000 synthetic users per ring, the share that sees the feature, stickiness
 * as rings grow, and nobody after the kill switch.
 */
class FlagdEvaluationTest {
  static final int USERS = 10_000;
  static final FlagTarget FLAG = new FlagTarget("flags", "new-checkout-flow", "rollout-checkout-1.4.2", "team-checkout", LocalDate.of(2027, 1, 31));
  @TempDir Path dir;
  FlagdProvider provider;

  @AfterEach
  void stop() {
    if (provider != null) provider.shutdown();
  }

  /** The users (not in the internal cohort) who see the feature now. */
  static Set<String> on(Client client, String tenant) {
    Set<String> on = new HashSet<>();
    for (int i = 0; i < USERS; i++) {
      String user = "user-" + i;
      var ctx = new ImmutableContext(user, Map.of("tenantId", new Value(tenant == null ? "tenant-" + (i % 997) : tenant)));
      if (client.getBooleanValue(FLAG.key(), false, ctx)) on.add(user);
    }
    return on;
  }

  /** Waits until the provider has read the file's new state (it polls every 100 ms), then evaluates. */
  static Set<String> settled(Client client, String tenant, java.util.function.Predicate<Set<String>> expected) {
    return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> on(client, tenant), expected);
  }

  @Test
  void ringsReachTheirShareStickilyAndTheKillSwitchReachesEveryone() {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider flags = new FlagdFileProvider(file, "tenantId");
    Audience internal = new Audience(List.of("acme-internal"), List.of(), Map.of(), 0);
    flags.enable(FLAG, "internal", internal);

    provider = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).offlineFlagSourcePath(file.toString())
        .offlinePollIntervalMs(100).build());
    OpenFeatureAPI.getInstance().setProviderAndWait("ringmaster-flagd-test", provider);
    Client client = OpenFeatureAPI.getInstance().getClient("ringmaster-flagd-test");

    // Ring internal: every user of the internal tenant, nobody else.
    assertThat(settled(client, "acme-internal", s -> s.size() == USERS)).hasSize(USERS);
    assertThat(on(client, null)).isEmpty();

    // Ring canary, 5 %: 5 % ± 1 % of everyone else, and still all of the internal tenant.
    flags.enable(FLAG, "canary", internal.union(Audience.percent(5)));
    Set<String> five = settled(client, null, s -> !s.isEmpty());
    assertThat(five.size()).isBetween(400, 600);
    assertThat(on(client, "acme-internal")).hasSize(USERS);

    // A 25 % ring: 25 % ± 1 %, and everyone who had it at 5 % keeps it (sticky on the targeting key).
    flags.enable(FLAG, "quarter", internal.union(Audience.percent(25)));
    Set<String> quarter = settled(client, null, s -> s.size() > 1000);
    assertThat(quarter.size()).isBetween(2400, 2600);
    assertThat(quarter).containsAll(five);

    // Everyone.
    flags.enable(FLAG, "everyone", internal.union(Audience.percent(100)));
    assertThat(settled(client, null, s -> s.size() == USERS)).hasSize(USERS);

    // Kill switch: nobody, internal tenant included.
    flags.killSwitch(FLAG);
    assertThat(settled(client, null, Set::isEmpty)).isEmpty();
    assertThat(on(client, "acme-internal")).isEmpty();
  }

  @Test
  void aFlagThatExistedWithRulesOfItsOwnServesExactlyTheSameUsersAfterARollback() throws Exception {
    Path file = dir.resolve("flags.json");
    // Configured by hand before Ringmaster: on for two tenants and a 10 % slice of everyone else.
    String handMade = """
        {"flags":{"new-checkout-flow":{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off",
          "targeting":{"if":[{"in":[{"var":"tenantId"},["tenant-1","tenant-2"]]},"on",
                             {"fractional":[{"cat":[{"var":"$flagd.flagKey"},{"var":"targetingKey"}]},["on",10],["off",90]]}]},
          "metadata":{"owner":"someone-else"}}}}
        """;
    java.nio.file.Files.writeString(file, handMade);
    provider = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).offlineFlagSourcePath(file.toString())
        .offlinePollIntervalMs(100).build());
    OpenFeatureAPI.getInstance().setProviderAndWait("ringmaster-flagd-restore", provider);
    Client client = OpenFeatureAPI.getInstance().getClient("ringmaster-flagd-restore");
    Set<String> before = settled(client, null, s -> !s.isEmpty());
    assertThat(before.size()).as("10 %% plus two tenants").isBetween(1000, 1250);

    FlagdFileProvider flags = new FlagdFileProvider(file, "tenantId");
    var prior = flags.capture(FLAG);
    assertThat(prior.summary()).isEqualTo("targeting rules, default off");
    assertThat(prior.fullyReleased()).isFalse();
    flags.enable(FLAG, "everyone", Audience.percent(100));
    assertThat(settled(client, null, s -> s.size() == USERS)).hasSize(USERS);
    flags.killSwitch(FLAG);
    assertThat(settled(client, null, Set::isEmpty)).isEmpty();

    flags.restore(FLAG, prior);
    assertThat(settled(client, null, s -> !s.isEmpty())).as("the very same users as before the rollout").isEqualTo(before);
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.readTree(file.toFile()).at("/flags/new-checkout-flow")).isEqualTo(json.readTree(handMade).at("/flags/new-checkout-flow"));
  }

  @Test
  void aFlagAnEarlierRolloutReleasedIsRecognisedAndOneThatDidNotExistStaysOff() {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider flags = new FlagdFileProvider(file, "tenantId");
    assertThat(flags.capture(FLAG).exists()).isFalse();
    flags.enable(FLAG, "everyone", Audience.percent(100));
    flags.retire(FLAG);
    FlagTarget next = new FlagTarget("flags", FLAG.key(), "rollout-checkout-1.4.3", "team-checkout", null);
    var released = flags.capture(next);
    assertThat(released.refusal()).isEqualTo("flag new-checkout-flow was fully released by rollout-checkout-1.4.2 (default on for everyone, "
        + "retired); use a new flag key for a new feature, or set spec.flag.reuse: true to roll this flag out again");

    FlagTarget other = new FlagTarget("flags", "brand-new", "rollout-checkout-1.4.3", "team-checkout", null);
    var absent = flags.capture(other);
    flags.enable(other, "canary", Audience.percent(5));
    flags.killSwitch(other);
    flags.restore(other, absent);
    provider = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).offlineFlagSourcePath(file.toString())
        .offlinePollIntervalMs(100).build());
    OpenFeatureAPI.getInstance().setProviderAndWait("ringmaster-flagd-absent", provider);
    var details = OpenFeatureAPI.getInstance().getClient("ringmaster-flagd-absent").getBooleanDetails("brand-new", true, new ImmutableContext("user-1"));
    assertThat(details.getValue()).as("off, not the caller's default").isFalse();
    assertThat(details.getErrorCode()).isNull();
  }
}
