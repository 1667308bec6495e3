package dev.ringmaster.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.ringmaster.support.RingmasterProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command on a fresh checkout, as a real process: Ringmaster with the demo profile (what
 * {@code mvn spring-boot:run} activates) in a copy of the repository's {@code workflows/}, so every path is the one a
 * user gets. The demo story plays by itself: greeter 1.0.0 SUCCEEDED through every ring (its approval given by the
 * CLI as the demo approver), 1.0.1-bad ROLLED_BACK by its gate in ring canary (kill switch, 1.0.0 redeployed, expand
 * undone), and afterwards the flagd file serves 1.0.1's flag off to every user, read with the OpenFeature SDK's flagd
 * provider. Then the real CLI's {@code demo} command, re-run, attaches to both rollouts and tells the same outcome.
 */
@Timeout(600)
class DemoStoryTest {
  @TempDir Path work;

  @Test
  void theGoodReleaseGoesOutAndTheBadOneRollsItselfBack() throws Exception {
    copy(Path.of("workflows"), work.resolve("workflows"));
    int demoPort = RingmasterProcess.freePort();
    try (RingmasterProcess ringmaster = RingmasterProcess.start(work, Map.of("spring.profiles.active", "demo", "ringmaster.demo.port", String.valueOf(demoPort),
        "ringmaster.temporal.mode", "in-process", "ringmaster.temporal.embedded-port", "0"))) {
      ringmaster.awaitReady(Duration.ofSeconds(120));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
      while (!ringmaster.log().contains("demo story ended") && System.nanoTime() < deadline) {
        assertThat(ringmaster.isAlive()).as(ringmaster.logTail()).isTrue();
        Thread.sleep(1000);
      }
      String log = ringmaster.log();
      assertThat(log).as(ringmaster.logTail()).contains("demo story ended (exit code 0)");
      // What the user reads on the console: gate values against thresholds, the approval command, both outcomes.
      assertThat(log).contains("rollout-greeter-1.0.0: gate ring canary #").contains("error-rate canary=").contains("failIf canary > 0.05 → PASSED")
          .contains("$ RINGMASTER_TOKEN=$(cat var/demo-approver-token) bin/ringmaster approve rollout-greeter-1.0.0 --gate half")
          .contains("half approved by demo-approver via cli").contains("→ FAILED").contains("rollout-greeter-1.0.0: SUCCEEDED")
          .contains("rollout-greeter-1.0.1-bad: ROLLED_BACK");

      JsonNode good = ringmaster.call("GET", "/api/rollouts/rollout-greeter-1.0.0", null).body();
      assertThat(good.path("state").asText()).isEqualTo("SUCCEEDED");
      JsonNode bad = ringmaster.call("GET", "/api/rollouts/rollout-greeter-1.0.1-bad", null).body();
      assertThat(bad.path("state").asText()).as(bad.toString()).isEqualTo("ROLLED_BACK");
      assertThat(bad.path("rollbackReason").asText()).as(bad.toString()).containsAnyOf("error-rate", "p99-latency").contains("canary");
      assertThat(bad.path("rings").get(0).path("name").asText()).isEqualTo("canary");
      assertThat(bad.path("rings").get(1).path("state").asText()).as("ring half was never enabled").isEqualTo("PENDING");
      String steps = bad.path("rollbackSteps").toString();
      assertThat(steps).contains("KillSwitch").contains("RedeployPrevious").contains("1.0.0").contains("UndoExpand");
      assertThat(steps.indexOf("KillSwitch")).as("the kill switch first").isLessThan(steps.indexOf("RedeployPrevious"));
      assertThat(Files.readString(work.resolve("var/greeter/running-version")).strip()).isEqualTo("1.0.0");

      // The flag as a service sees it, through the OpenFeature SDK and its flagd provider (file mode).
      FlagdProvider provider = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE)
          .offlineFlagSourcePath(work.resolve("var/greeter/flags.json").toString()).build());
      OpenFeatureAPI.getInstance().setProviderAndWait("demo-story-test", provider);
      try {
        Client flags = OpenFeatureAPI.getInstance().getClient("demo-story-test");
        List<String> on = new ArrayList<>();
        for (int u = 0; u < 2000; u++) {
          ImmutableContext user = new ImmutableContext("user-" + u, Map.of("tenantId", new Value(u % 10 == 0 ? "acme-internal" : "globex")));
          if (flags.getBooleanValue("new-greeting-1-0-1", true, user)) on.add("user-" + u);
          assertThat(flags.getBooleanValue("new-greeting-1-0-0", false, user)).as("1.0.0's feature stays on for everyone").isTrue();
        }
        assertThat(on).as("1.0.1's flag after the rollback").isEmpty();
      } finally {
        provider.shutdown();
      }

      // The real CLI, re-run: the starts are idempotent, it attaches to both rollouts and tells the same story.
      Process cli = new ProcessBuilder(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"), "dev.ringmaster.cli.RingmasterCli", "demo",
          "--url", "http://127.0.0.1:" + ringmaster.port()).directory(work.toFile()).redirectErrorStream(true).start();
      String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(cli.exitValue()).as(out).isZero();
      assertThat(out).contains("rollout-greeter-1.0.0: SUCCEEDED").contains("rollout-greeter-1.0.1-bad: ROLLED_BACK — ")
          .contains("the bad one was caught by its gate and rolled itself back");
    }
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(target);
        else Files.copy(f, target);
      }
    }
  }
}
