package dev.ringmaster.flags.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagSnapshot;
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
  static final ObjectMapper JSON = new ObjectMapper();
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
    assertThat(env.at("/fallthrough/rollout/variations").toString()).isEqualTo("[{\"variation\":0,\"weight\":5000},{\"variation\":1,\"weight\":95000}]");
    JsonNode retried = ld.patches.get(ld.patches.size() - 1);
    assertThat(retried.path("environmentKey").asText()).isEqualTo("production");
    assertThat(retried.path("instructions").findValuesAsText("kind")).containsExactly("updateFallthroughVariationOrRollout", "turnFlagOn");

    p.enable(flag, "everyone", internal.union(Audience.percent(100)));
    assertThat(ld.env(flag.key()).at("/fallthrough/variation").asInt()).as("the true variation, %s", on).isEqualTo(0);
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
    assertThat(ld.env(flag.key()).at("/fallthrough/variation").asInt()).as("the false variation").isEqualTo(1);

    p.retire(flag);
    p.retire(flag);
    assertThat(ld.flags.get(flag.key()).path("archived").asBoolean()).isTrue();
    assertThat(ld.patches.get(ld.patches.size() - 1).path("instructions").findValuesAsText("kind")).containsExactly("updateDescription", "archiveFlag");
    assertThat(ld.flags.get(flag.key()).path("description").asText()).endsWith("; fully released by rollout-checkout-1.4.2");
  }

  /** A flag someone configured by hand: a rule of their own, a 10 % fallthrough rollout, on. */
  ObjectNode handMade(String key, boolean archived) throws Exception {
    ObjectNode f = (ObjectNode) JSON.readTree("""
        {"key":"%s","name":"%s","description":"checkout flow by hand","archived":%s,"_version":7,
         "variations":[{"_id":"v-true","value":true},{"_id":"v-false","value":false}],
         "environments":{"production":{"on":true,
           "rules":[{"_id":"r-nl","description":"Dutch shoppers","clauses":[{"contextKind":"user","attribute":"country","op":"in","negate":false,"values":["NL"]}],"variation":0},
                    {"_id":"r-beta","clauses":[{"contextKind":"user","attribute":"beta","op":"in","negate":false,"values":[true]}],
                     "rollout":{"variations":[{"variation":0,"weight":50000},{"variation":1,"weight":50000}],"bucketBy":"key"}}],
           "fallthrough":{"rollout":{"variations":[{"variation":0,"weight":10000},{"variation":1,"weight":90000}],"bucketBy":"key","contextKind":"user"}}}}}
        """.formatted(key, key, archived));
    ld.flags.put(key, f);
    return f.deepCopy();
  }

  static JsonNode withoutIds(JsonNode rules) {
    ArrayNode out = JSON.createArrayNode();
    for (JsonNode r : rules) {
      ObjectNode copy = r.deepCopy();
      copy.remove("_id");
      out.add(copy);
    }
    return out;
  }

  @Test
  void aFlagThatExistedIsPutBackExactlyAfterTheKillSwitch() throws Exception {
    FlagProvider p = provider(Map.of());
    JsonNode before = handMade("hand-made", false).path("environments").path("production");
    FlagTarget f = new FlagTarget("ld", "hand-made", "rollout-checkout-1.4.2", "team-checkout", null);

    FlagSnapshot prior = p.capture(f);
    assertThat(prior.exists()).isTrue();
    assertThat(prior.fullyReleased()).isFalse();
    assertThat(prior.summary()).isEqualTo("on in production with 2 rule(s), fallthrough a percentage rollout");
    assertThat(prior.refusal()).isNull();

    p.enable(f, "canary", internal.union(Audience.percent(5)));
    assertThat(ld.env("hand-made").path("rules")).hasSize(3);
    p.killSwitch(f);
    p.restore(f, prior);
    p.restore(f, prior); // a retried activity leaves the same flag
    JsonNode after = ld.env("hand-made");
    assertThat(after.path("on").asBoolean()).isTrue();
    assertThat(withoutIds(after.path("rules"))).isEqualTo(withoutIds(before.path("rules")));
    assertThat(after.path("fallthrough")).isEqualTo(before.path("fallthrough"));
    assertThat(ld.flags.get("hand-made").path("archived").asBoolean()).isFalse();
  }

  @Test
  void aFlagAnEarlierRolloutReleasedIsRefusedUnlessReusedAndThenArchivedAgainOnRollback() throws Exception {
    FlagProvider p = provider(Map.of());
    p.enable(flag, "everyone", Audience.percent(100));
    p.retire(flag);

    FlagTarget next = new FlagTarget("ld", flag.key(), "rollout-checkout-1.4.3", "team-checkout", null);
    FlagSnapshot prior = p.capture(next);
    assertThat(prior.fullyReleased()).isTrue();
    assertThat(prior.releasedBy()).isEqualTo("rollout-checkout-1.4.2");
    assertThat(prior.refusal()).startsWith("flag new-checkout-flow was fully released by rollout-checkout-1.4.2 (on in production with 0 rule(s), "
        + "fallthrough true for everyone, archived); use a new flag key for a new feature");

    p.enable(next, "internal", internal); // reuse: true
    assertThat(ld.flags.get(flag.key()).path("archived").asBoolean()).isFalse();
    p.killSwitch(next);
    p.restore(next, prior);
    assertThat(ld.flags.get(flag.key()).path("archived").asBoolean()).isTrue();
    assertThat(ld.env(flag.key()).path("on").asBoolean()).isTrue();
    assertThat(ld.env(flag.key()).path("rules")).isEmpty();
    assertThat(ld.env(flag.key()).at("/fallthrough/variation").asInt()).isZero();
  }

  @Test
  void aFlagThatDidNotExistStaysOffWithoutRules() {
    FlagProvider p = provider(Map.of());
    FlagSnapshot prior = p.capture(flag);
    assertThat(prior).isEqualTo(FlagSnapshot.absent(flag.key()));
    p.enable(flag, "canary", internal.union(Audience.percent(5)));
    p.killSwitch(flag);
    p.restore(flag, prior);
    assertThat(ld.env(flag.key()).path("on").asBoolean()).isFalse();
    assertThat(ld.env(flag.key()).path("rules")).isEmpty();
    assertThat(ld.env(flag.key()).at("/fallthrough/variation").asInt()).isEqualTo(1);
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
