package dev.ringmaster.flags.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagTarget;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The launchdarkly adapter against {@link FakeLaunchDarkly}: no LaunchDarkly server can run here, so a local server
 * checks each request against LaunchDarkly's documented REST API v2 / semantic patch shapes and refuses any other.
 */
class LaunchDarklyProviderTest {
  FakeLaunchDarkly ld;
  final FlagTarget flag = new FlagTarget("ld", "new-checkout-flow", "rollout-checkout-1.4.2", "team-checkout", LocalDate.of(2027, 1, 31));
  final Audience internal = new Audience(List.of("acme-internal"), List.of(), Map.of(), 0);

  @BeforeEach
  void start() throws Exception {
    ld = new FakeLaunchDarkly(System.getenv("RINGMASTER_TEST_LD_TOKEN"));
  }

  @AfterEach
  void stop() {
    assertThat(ld.refusals).as("requests that do not match LaunchDarkly's documented shapes").isEmpty();
    ld.close();
  }

  FlagProvider provider(Map<String, String> overrides) {
    Map<String, String> s = new HashMap<>(Map.of("kind", "launchdarkly", "url", ld.url(), "token-env", "RINGMASTER_TEST_LD_TOKEN",
        "project", "shop", "environment", "production"));
    s.putAll(overrides);
    return new LaunchDarklyProviderFactory().create(new Connection("ld", "launchdarkly", s));
  }

  @Test
  void ringsBecomeRulesAndAFallthroughRolloutAndARetriedEnableAddsNothing() {
    FlagProvider p = provider(Map.of());
    FlagChange first = p.enable(flag, "internal", internal);
    assertThat(first.providerRef()).isEqualTo("launchdarkly flag version 2");
    JsonNode created = ld.flags.get(flag.key());
    assertThat(created.path("temporary").asBoolean()).isTrue();
    assertThat(created.path("description").asText()).contains("owner team-checkout").contains("expires 2027-01-31");

    p.enable(flag, "canary", internal.union(Audience.percent(5)));
    p.enable(flag, "canary", internal.union(Audience.percent(5))); // retried activity
    JsonNode env = ld.env(flag.key());
    assertThat(env.path("on").asBoolean()).isTrue();
    assertThat(env.path("rules")).hasSize(1);
    assertThat(env.at("/rules/0/clauses/0").toString())
        .isEqualTo("{\"contextKind\":\"user\",\"attribute\":\"tenantId\",\"op\":\"in\",\"negate\":false,\"values\":[\"acme-internal\"]}");
    String on = created.at("/variations/0/_id").asText();
    String off = created.at("/variations/1/_id").asText();
    assertThat(env.at("/fallthrough/rollout/" + on).asInt()).isEqualTo(5000);
    assertThat(env.at("/fallthrough/rollout/" + off).asInt()).isEqualTo(95000);
    JsonNode retried = ld.patches.get(ld.patches.size() - 1);
    assertThat(retried.path("environmentKey").asText()).isEqualTo("production");
    assertThat(retried.path("instructions").findValuesAsText("kind")).containsExactly("updateFallthroughVariationOrRollout", "turnFlagOn");

    p.enable(flag, "everyone", internal.union(Audience.percent(100)));
    assertThat(ld.env(flag.key()).at("/fallthrough/variationId").asText()).isEqualTo(on);
  }

  @Test
  void killSwitchIsOneTurnFlagOffAndRollbackRemovesOurRulesAndCleanupArchives() {
    FlagProvider p = provider(Map.of());
    p.enable(flag, "canary", internal.union(Audience.percent(5)));
    int before = ld.patches.size();
    FlagChange off = p.killSwitch(flag);
    assertThat(ld.patches).hasSize(before + 1);
    assertThat(ld.patches.get(before).path("instructions").toString()).isEqualTo("[{\"kind\":\"turnFlagOff\"}]");
    assertThat(ld.env(flag.key()).path("on").asBoolean()).isFalse();
    assertThat(off.acknowledgedIn()).isPositive();

    p.removeRules(flag);
    assertThat(ld.env(flag.key()).path("rules")).isEmpty();
    assertThat(ld.env(flag.key()).at("/fallthrough/variationId").asText()).isEqualTo(ld.flags.get(flag.key()).at("/variations/1/_id").asText());

    p.retire(flag);
    p.retire(flag);
    assertThat(ld.flags.get(flag.key()).path("archived").asBoolean()).isTrue();
    assertThat(ld.patches.get(ld.patches.size() - 1).path("instructions").toString()).isEqualTo("[{\"kind\":\"archiveFlag\"}]");
  }

  @Test
  void badCredentialsAndAMissingProjectArePermanentRateLimitsAndOutagesAreRetried() {
    assertThatThrownBy(() -> provider(Map.of("token-env", "RINGMASTER_TEST_DB_WRONG_PASSWORD")).killSwitch(flag))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'ld': LaunchDarkly, kill switch: answered 401 (check the API token in the variable named by token-env): Invalid access token");
    assertThatThrownBy(() -> provider(Map.of("project", "nope")).enable(flag, "internal", internal))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'ld': LaunchDarkly, create the flag: answered 404 (does project 'nope' / environment 'production' exist?): Unknown project key");
    FlagProvider p = provider(Map.of());
    p.enable(flag, "internal", internal);
    ld.forced.add(new int[] {429, 7});
    assertThatThrownBy(() -> p.killSwitch(flag)).isNotInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'ld': LaunchDarkly, kill switch: answered 429 (Retry-After: 7 s): Rate limited");
    ld.forced.add(new int[] {503});
    assertThatThrownBy(() -> p.killSwitch(flag)).isNotInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'ld': LaunchDarkly, kill switch: answered 503: Service unavailable");
  }
}
