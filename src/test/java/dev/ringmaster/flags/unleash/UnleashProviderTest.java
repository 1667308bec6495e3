package dev.ringmaster.flags.unleash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagSnapshot;
import dev.ringmaster.flags.FlagTarget;
import dev.ringmaster.support.UnleashServer;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.util.UnleashConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The unleash adapter against a real Unleash server (npm unleash-server, its database in the embedded PostgreSQL),
 * proven by real flag evaluation: after each ring, 10,000 synthetic users are evaluated by the real Unleash Java SDK.
 */
class UnleashProviderTest {
  static final int USERS = 10_000;
  static final ObjectMapper JSON = new ObjectMapper();
  static UnleashServer unleash;

  @BeforeAll
  static void start() throws Exception {
    unleash = UnleashServer.start();
  }

  @AfterAll
  static void stop() {
    if (unleash != null) unleash.close();
  }

  static FlagProvider provider(String tokenEnv) {
    return new UnleashProviderFactory().create(new Connection("unleash-dev", "unleash",
        Map.of("kind", "unleash", "url", unleash.url(), "token-env", tokenEnv)));
  }

  static FlagTarget flag(String key) {
    return new FlagTarget("unleash-dev", key, "rollout-checkout-1.4.2", "team-checkout", LocalDate.of(2027, 1, 31));
  }

  /** A fresh SDK client that fetches the flags once, as a service starting now would see them. */
  static Set<String> on(String key, String tenant) {
    UnleashConfig config = UnleashConfig.builder().appName("ringmaster-test").instanceId("eval").unleashAPI(unleash.url() + "/api/")
        .customHttpHeader("Authorization", UnleashServer.CLIENT_TOKEN).synchronousFetchOnInitialisation(true)
        .disableMetrics().build();
    Unleash sdk = new DefaultUnleash(config);
    try {
      Set<String> on = new HashSet<>();
      for (int i = 0; i < USERS; i++) {
        String user = "user-" + i;
        UnleashContext ctx = UnleashContext.builder().userId(user).addProperty("tenantId", tenant == null ? "tenant-" + (i % 997) : tenant).build();
        if (sdk.isEnabled(key, ctx)) on.add(user);
      }
      return on;
    } finally {
      sdk.shutdown();
    }
  }

  /** Unleash serves clients from a cache it refreshes from its event log: wait until a fresh client sees the change. */
  static Set<String> settled(String key, String tenant, java.util.function.Predicate<Set<String>> expected) {
    return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> on(key, tenant), expected);
  }

  static JsonNode strategies(String key) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(unleash.url()
        + "/api/admin/projects/default/features/" + key + "/environments/development/strategies")).header("Authorization", UnleashServer.ADMIN_TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  @Test
  void ringsReachTheirShareStickilyAndTheKillSwitchTurnsEveryoneOff() throws Exception {
    FlagProvider p = provider("RINGMASTER_TEST_UNLEASH_TOKEN");
    FlagTarget f = flag("new-checkout-flow");
    Audience internal = new Audience(List.of("acme-internal"), List.of(), Map.of(), 0);

    FlagChange first = p.enable(f, "internal", internal);
    assertThat(first.providerRef()).startsWith("unleash event ");
    assertThat(settled(f.key(), "acme-internal", s -> s.size() == USERS)).hasSize(USERS);
    assertThat(on(f.key(), null)).isEmpty();

    p.enable(f, "canary", internal.union(Audience.percent(5)));
    Set<String> five = settled(f.key(), null, s -> !s.isEmpty());
    assertThat(five.size()).isBetween(400, 600);
    assertThat(on(f.key(), "acme-internal")).hasSize(USERS);

    p.enable(f, "quarter", internal.union(Audience.percent(25)));
    Set<String> quarter = settled(f.key(), null, s -> s.size() > 1000);
    assertThat(quarter.size()).isBetween(2400, 2600);
    assertThat(quarter).as("sticky: who had it at 5 % keeps it at 25 %").containsAll(five);

    p.enable(f, "everyone", internal.union(Audience.percent(100)));
    assertThat(settled(f.key(), null, s -> s.size() == USERS)).hasSize(USERS);

    FlagChange off = p.killSwitch(f);
    assertThat(off.acknowledgedIn()).isPositive();
    assertThat(settled(f.key(), null, Set::isEmpty)).isEmpty();
    assertThat(on(f.key(), "acme-internal")).isEmpty();

    p.removeRules(f);
    assertThat(strategies(f.key())).isEmpty();
  }

  @Test
  void killSwitchAllTurnsEveryFlagOffInOneBulkRequestAndRefusesAllWhenOneFlagIsUnknown() throws Exception {
    FlagProvider p = provider("RINGMASTER_TEST_UNLEASH_TOKEN");
    List<FlagTarget> flags = List.of(flag("bulk-a"), flag("bulk-b"), flag("bulk-c"));
    for (FlagTarget f : flags) p.enable(f, "everyone", Audience.percent(100));
    for (FlagTarget f : flags) settled(f.key(), null, s -> s.size() == USERS);

    List<FlagChange> off = p.killSwitchAll(flags);
    assertThat(off).extracting(FlagChange::flagKey).containsExactly("bulk-a", "bulk-b", "bulk-c");
    for (FlagTarget f : flags) assertThat(settled(f.key(), null, Set::isEmpty)).as(f.key()).isEmpty();

    // Unleash applies the bulk toggle in one transaction: an unknown flag refuses the whole request, and the flag
    // beside it stays on (which is why KillSwitchBatcher falls back to one call per flag).
    FlagTarget on = flag("bulk-d");
    p.enable(on, "everyone", Audience.percent(100));
    settled(on.key(), null, s -> s.size() == USERS);
    assertThatThrownBy(() -> p.killSwitchAll(List.of(on, flag("no-such-flag")))).hasMessageContaining("flags");
    assertThat(on(on.key(), null)).hasSize(USERS);
  }

  @Test
  void aRetriedEnableLeavesOneStrategyPerAudiencePart() throws Exception {
    FlagProvider p = provider("RINGMASTER_TEST_UNLEASH_TOKEN");
    FlagTarget f = flag("retried-flow");
    Audience canary = new Audience(List.of("acme-internal"), List.of(), Map.of(), 0).union(Audience.percent(5));
    p.enable(f, "canary", canary);
    p.enable(f, "canary", canary);
    JsonNode s = strategies(f.key());
    assertThat(s).hasSize(2);
    assertThat(s.findValuesAsText("title")).containsExactlyInAnyOrder("ringmaster: tenants", "ringmaster: percent");
    assertThat(s.toString()).contains("\"rollout\":\"5\"").contains("\"contextName\":\"tenantId\"").contains("\"values\":[\"acme-internal\"]");

    p.retire(f);
    p.retire(f);
    HttpResponse<String> archived = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(unleash.url()
        + "/api/admin/projects/default/features/" + f.key())).header("Authorization", UnleashServer.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(archived.statusCode()).isEqualTo(404);
  }

  @Test
  void badCredentialsAndAMissingProjectArePermanentWithAClearMessage() {
    assertThatThrownBy(() -> provider("RINGMASTER_TEST_DB_WRONG_PASSWORD").enable(flag("x"), "internal", Audience.percent(5)))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("connection 'unleash-dev': Unleash, read the flag: answered 401 (check the admin token in the variable named by token-env)")
        .hasMessageNotContaining(System.getenv("RINGMASTER_TEST_DB_WRONG_PASSWORD"));
    FlagProvider noProject = new UnleashProviderFactory().create(new Connection("unleash-dev", "unleash",
        Map.of("kind", "unleash", "url", unleash.url(), "token-env", "RINGMASTER_TEST_UNLEASH_TOKEN", "project", "nope")));
    assertThatThrownBy(() -> noProject.enable(flag("x"), "internal", Audience.percent(5)))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("does project 'nope' / environment 'development' exist?");
  }

  static JsonNode admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(unleash.url() + path)).header("Authorization", UnleashServer.ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isBetween(200, 299);
    return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  /** The strategies as a person compares them: without ids. */
  static List<String> withoutIds(JsonNode strategies) {
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode st : strategies) {
      com.fasterxml.jackson.databind.node.ObjectNode copy = st.deepCopy();
      copy.remove("id");
      out.add(copy.toString());
    }
    return out;
  }

  @Test
  void aFlagThatExistedWithStrategiesOfItsOwnServesExactlyTheSameUsersAfterARollback() throws Exception {
    String key = "hand-made-flow";
    admin("POST", "/api/admin/projects/default/features", "{\"name\":\"" + key + "\",\"type\":\"release\"}");
    String strategies = "/api/admin/projects/default/features/" + key + "/environments/development/strategies";
    admin("POST", strategies, "{\"name\":\"flexibleRollout\",\"title\":\"two tenants\",\"constraints\":[{\"contextName\":\"tenantId\","
        + "\"operator\":\"IN\",\"values\":[\"tenant-1\",\"tenant-2\"]}],\"parameters\":{\"rollout\":\"100\",\"stickiness\":\"default\",\"groupId\":\"" + key + "\"}}");
    admin("POST", strategies, "{\"name\":\"flexibleRollout\",\"title\":\"a tenth\",\"constraints\":[],"
        + "\"parameters\":{\"rollout\":\"10\",\"stickiness\":\"default\",\"groupId\":\"" + key + "\"}}");
    admin("POST", "/api/admin/projects/default/features/" + key + "/environments/development/on", null);
    JsonNode strategiesBefore = strategies(key);
    Set<String> before = settled(key, null, s -> s.size() > 500);
    assertThat(before.size()).as("10 %% plus two tenants").isBetween(900, 1300);

    FlagProvider p = provider("RINGMASTER_TEST_UNLEASH_TOKEN");
    FlagTarget f = flag(key);
    FlagSnapshot prior = p.capture(f);
    assertThat(prior.summary()).isEqualTo("on in development with 2 strategies ('two tenants', 'a tenth')");
    assertThat(prior.refusal()).isNull();

    p.enable(f, "everyone", Audience.percent(100));
    assertThat(settled(key, null, s -> s.size() == USERS)).hasSize(USERS);
    p.killSwitch(f);
    assertThat(settled(key, null, Set::isEmpty)).isEmpty();
    admin("DELETE", strategies + "/" + strategiesBefore.get(1).get("id").asText(), null); // someone deletes one meanwhile

    p.restore(f, prior);
    p.restore(f, prior); // a retried activity changes nothing more
    assertThat(withoutIds(strategies(key))).isEqualTo(withoutIds(strategiesBefore));
    assertThat(settled(key, null, s -> s.equals(before))).as("the very same users as before the rollout").isEqualTo(before);
  }

  @Test
  void anArchivedFlagIsRefusedUnlessReusedIsRevivedForTheRolloutAndArchivedAgainOnRollback() throws Exception {
    FlagProvider p = provider("RINGMASTER_TEST_UNLEASH_TOKEN");
    FlagTarget f = flag("released-flow");
    p.enable(f, "everyone", Audience.percent(100));
    p.retire(f);

    FlagTarget next = new FlagTarget("unleash-dev", f.key(), "rollout-checkout-1.4.3", "team-checkout", null);
    FlagSnapshot prior = p.capture(next);
    assertThat(prior.archived()).isTrue();
    assertThat(prior.refusal()).isEqualTo("flag released-flow was fully released by rollout-checkout-1.4.2 (archived); use a new flag key "
        + "for a new feature, or set spec.flag.reuse: true to roll this flag out again");

    p.enable(next, "canary", Audience.percent(5)); // the definition says reuse: true
    assertThat(settled(f.key(), null, s -> !s.isEmpty()).size()).isBetween(400, 600);
    p.killSwitch(next);
    p.restore(next, prior);
    assertThat(p.capture(next).archived()).isTrue();
    assertThat(settled(f.key(), null, Set::isEmpty)).isEmpty();

    FlagTarget fresh = flag("never-seen-flow");
    FlagSnapshot absent = p.capture(fresh);
    assertThat(absent.exists()).isFalse();
    p.enable(fresh, "canary", Audience.percent(5));
    p.killSwitch(fresh);
    p.restore(fresh, absent);
    assertThat(strategies(fresh.key())).isEmpty();
  }
}
