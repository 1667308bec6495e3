package dev.ringmaster.flags.flagdfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagdFileProviderTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final FlagTarget FLAG = new FlagTarget("flags", "new-checkout-flow", "rollout-checkout-1.4.2", "team-checkout", LocalDate.of(2027, 1, 31));
  @TempDir Path dir;

  JsonNode flag(Path file) throws Exception {
    return JSON.readTree(file.toFile()).at("/flags/new-checkout-flow");
  }

  @Test
  void ringsBecomeInRulesForCohortsAndFractionalOnTheTargetingKeyForPercentages() throws Exception {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    Audience cumulative = new Audience(List.of("acme-internal"), List.of("u-42"), Map.of("region", List.of("eu-west")), 5);
    p.enable(FLAG, "canary", cumulative);

    JsonNode f = flag(file);
    assertThat(f.get("state").asText()).isEqualTo("ENABLED");
    assertThat(f.get("defaultVariant").asText()).isEqualTo("off");
    assertThat(f.at("/variants/on").asBoolean()).isTrue();
    JsonNode branches = f.at("/targeting/if");
    assertThat(branches.get(0).toString()).isEqualTo(
        "{\"or\":[{\"in\":[{\"var\":\"tenantId\"},[\"acme-internal\"]]},{\"in\":[{\"var\":\"targetingKey\"},[\"u-42\"]]},{\"in\":[{\"var\":\"region\"},[\"eu-west\"]]}]}");
    assertThat(branches.get(1).asText()).isEqualTo("on");
    assertThat(branches.get(2).toString()).isEqualTo(
        "{\"fractional\":[{\"cat\":[{\"var\":\"$flagd.flagKey\"},{\"var\":\"targetingKey\"}]},[\"on\",5000],[\"off\",95000]]}");
    assertThat(f.at("/metadata/expires").asText()).isEqualTo("2027-01-31");
  }

  @Test
  void everyoneIsTheDefaultVariantAndTheKillSwitchTurnsItOffForAll() throws Exception {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    p.enable(FLAG, "everyone", Audience.percent(100));
    assertThat(flag(file).get("defaultVariant").asText()).isEqualTo("on");
    assertThat(flag(file).has("targeting")).isFalse();

    var off = p.killSwitch(FLAG);
    assertThat(flag(file).get("defaultVariant").asText()).isEqualTo("off");
    assertThat(flag(file).has("targeting")).isFalse();
    assertThat(off.providerRef()).matches("crc32c:[0-9a-f]{8}");
  }

  @Test
  void aFileChangedByHandBetweenTwoWritesIsReadAgainNotOverwrittenFromMemory() throws Exception {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    p.enable(FLAG, "canary", Audience.percent(5));
    // Someone edits the file: a flag of their own, and ours turned off by hand.
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(file.toFile());
    root.with("flags").putObject("hand-made").put("state", "ENABLED").put("defaultVariant", "on").putObject("variants").put("on", true);
    ((com.fasterxml.jackson.databind.node.ObjectNode) root.with("flags").get("new-checkout-flow")).put("state", "DISABLED");
    Files.writeString(file, root.toString());

    p.enable(new FlagTarget("flags", "other-flow", "rollout-other-1.0.0", "team", null), "canary", Audience.percent(5));
    JsonNode flags = JSON.readTree(file.toFile()).get("flags");
    assertThat(flags.has("hand-made")).as("the hand-made flag is kept").isTrue();
    assertThat(flags.get("new-checkout-flow").get("state").asText()).as("the hand edit is kept").isEqualTo("DISABLED");
    assertThat(flags.has("other-flow")).isTrue();
    assertThat(p.capture(FLAG).summary()).as("a capture reads the file as it is").isEqualTo("disabled");
  }

  @Test
  void killSwitchAllTurnsEveryFlagOffInOneWriteOfTheFile() throws Exception {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    List<FlagTarget> flags = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FlagTarget f = new FlagTarget("flags", "flow-" + i, "rollout-svc" + i + "-1.0.0", "team", null);
      p.enable(f, "canary", Audience.percent(10));
      flags.add(f);
    }
    var changes = p.killSwitchAll(flags);
    assertThat(changes).extracting(c -> c.flagKey()).containsExactly("flow-0", "flow-1", "flow-2");
    assertThat(changes).extracting(c -> c.providerRef()).as("one write: one version of the file").containsOnly(changes.get(0).providerRef());
    JsonNode all = JSON.readTree(Files.readString(file)).get("flags");
    for (int i = 0; i < 3; i++) {
      assertThat(all.get("flow-" + i).get("defaultVariant").asText()).isEqualTo("off");
      assertThat(all.get("flow-" + i).has("targeting")).isFalse();
      assertThat(all.get("flow-" + i).get("metadata").get("killedBy").asText()).isEqualTo("rollout-svc" + i + "-1.0.0");
    }
  }

  @Test
  void manyRolloutsWritingAtOnceLoseNoChange() throws Exception {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    int n = 64;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        FlagTarget f = new FlagTarget("flags", "many-" + i, "rollout-many" + i + "-1.0.0", "team", null);
        int percent = 1 + i % 99;
        writes.add(pool.submit(() -> {
          p.enable(f, "canary", Audience.percent(percent));
          return p.enable(f, "wider", Audience.percent(Math.min(100, percent + 1)));
        }));
      }
      for (var w : writes) w.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    JsonNode all = JSON.readTree(Files.readString(file)).get("flags");
    assertThat(all.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      JsonNode f = all.get("many-" + i);
      assertThat(f.get("metadata").get("ring").asText()).as("many-" + i + ": its last write, in order").isEqualTo("wider");
      int expected = Math.min(100, 1 + i % 99 + 1);
      if (expected < 100) {
        assertThat(f.get("targeting").get("fractional").get(1).get(1).asInt()).isEqualTo(expected * FlagdFileProvider.WEIGHT_SCALE);
      } else {
        assertThat(f.get("defaultVariant").asText()).isEqualTo("on");
      }
    }
  }

  @Test
  void enablingTheSameRingTwiceLeavesTheSameFileAndKeepsOtherFlags() throws Exception {
    Path file = dir.resolve("flags.json");
    Files.writeString(file, "{\"flags\":{\"other\":{\"state\":\"ENABLED\",\"variants\":{\"a\":1},\"defaultVariant\":\"a\"}}}");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    var first = p.enable(FLAG, "canary", Audience.percent(0.1));
    String once = Files.readString(file);
    var second = p.enable(FLAG, "canary", Audience.percent(0.1));
    assertThat(Files.readString(file)).isEqualTo(once);
    assertThat(second.providerRef()).isEqualTo(first.providerRef());
    assertThat(JSON.readTree(once).at("/flags/other/defaultVariant").asText()).isEqualTo("a");
    assertThat(JSON.readTree(once).at("/flags/new-checkout-flow/targeting/fractional/1/1").asInt()).isEqualTo(100);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temp files left behind by the atomic write
    }
  }

  @Test
  void eachWriteLeavesOneFlagPerLineAndTheFlagsItDidNotChangeAsTheyWere() throws Exception {
    Path file = dir.resolve("flags.json");
    FlagdFileProvider p = new FlagdFileProvider(file, "tenantId");
    FlagTarget a = new FlagTarget("flags", "flow-a", "rollout-a-1.0.0", "team", null);
    FlagTarget b = new FlagTarget("flags", "flow-b", "rollout-b-1.0.0", "team", null);
    var before = p.capture(b);
    p.enable(a, "canary", Audience.percent(5));
    p.enable(b, "canary", Audience.percent(5));
    String bAtCanary = line(file, "flow-b");
    p.enable(a, "everyone", Audience.percent(100)); // a's kept bytes are stale now: it must be written anew
    assertThat(line(file, "flow-b")).as("b, untouched, exactly as before").isEqualTo(bAtCanary);
    p.killSwitch(b);
    p.restore(b, before);
    JsonNode flags = JSON.readTree(file.toFile()).get("flags");
    assertThat(flags.get("flow-a").get("defaultVariant").asText()).isEqualTo("on");
    assertThat(flags.get("flow-a").has("targeting")).isFalse();
    assertThat(flags.get("flow-a").at("/metadata/ring").asText()).isEqualTo("everyone");
    assertThat(flags.get("flow-b").get("defaultVariant").asText()).as("b as before its rollout: off, rules removed").isEqualTo("off");
    assertThat(flags.get("flow-b").has("targeting")).isFalse();
    assertThat(flags.get("flow-b").at("/metadata/killedBy").asText()).isEqualTo("rollout-b-1.0.0");
    // what a plain serializer makes of the file's tree, flag for flag: no stale bytes anywhere
    for (String key : List.of("flow-a", "flow-b")) {
      assertThat(line(file, key)).isEqualTo("\"" + key + "\" : " + flags.get(key).toString());
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(7).startsWith("{", "  \"$schema\" : \"https://flagd.dev/schema/v0/flags.json\",", "  \"flags\" : {").endsWith("  }", "}");
  }

  /** The file's line for one flag, stripped of its indentation and its trailing comma. */
  private static String line(Path file, String key) throws Exception {
    return Files.readAllLines(file).stream().map(String::strip).filter(l -> l.startsWith("\"" + key + "\""))
        .map(l -> l.endsWith(",") ? l.substring(0, l.length() - 1) : l).findFirst().orElseThrow();
  }

  @Test
  void aFileThatIsNotAFlagdFileIsNeverOverwritten() throws Exception {
    Path file = dir.resolve("flags.json");
    Files.writeString(file, "this is somebody's notes");
    assertThatThrownBy(() -> new FlagdFileProvider(file, "tenantId").killSwitch(FLAG))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("is not a flagd flag-definition file");
    assertThat(Files.readString(file)).isEqualTo("this is somebody's notes");
  }
}
