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
import dev.ringmaster.devserver.DevServer.PidFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command on a fresh checkout, as real processes: Ringmaster with the demo profile (what
 * {@code mvn spring-boot:run} activates) in a copy of the repository's {@code workflows/}, {@code bin/} and
 * {@code ringmaster-dev-server}, so every path is the one a user gets, with Temporal's dev server as its own process
 * (the default). The demo story plays by itself: greeter 1.0.0 SUCCEEDED through every ring (its approval given by
 * the CLI as the demo approver), 1.0.1-bad ROLLED_BACK by its gate in ring canary (kill switch, 1.0.0 redeployed,
 * expand undone), and afterwards the flagd file serves 1.0.1's flag off to every user, read with the OpenFeature SDK's
 * flagd provider; the real CLI's {@code demo} command, re-run, attaches to both rollouts and tells the same outcome.
 * Then every {@code sh} block of every runbook runs under bash against the same demo, each command's exit code
 * checked against the one its page shows.
 */
@Timeout(1500)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoStoryTest {
  /** The order the runbooks run in: each practice block needs the rollouts before it to have ended. */
  static final List<String> RUNBOOKS = List.of("gate-failed.md", "contract-safety.md", "temporal-ui.md", "abort-and-kill-switch.md",
      "stuck-awaiting-approval.md", "failed-compensation.md", "ringmaster-crash.md", "temporal-unreachable.md", "approve-or-reject.md");
  static final String NOT_RUN = "# not run by the runbook test";
  static final Pattern EXIT = Pattern.compile("#\\s*→\\s*exit\\s+(\\d+)\\s*$");

  @TempDir static Path work;
  RingmasterProcess ringmaster;

  @BeforeAll
  void startTheDemo() throws Exception {
    copy(Path.of("workflows"), work.resolve("workflows"));
    copy(Path.of("bin"), work.resolve("bin"));
    Files.copy(Path.of("ringmaster-dev-server"), work.resolve("ringmaster-dev-server"));
    ringmaster = RingmasterProcess.start(work, Map.of("spring.profiles.active", "demo", "ringmaster.demo.port", String.valueOf(RingmasterProcess.freePort()),
        "ringmaster.temporal.embedded-port", String.valueOf(RingmasterProcess.freePort())));
    ringmaster.awaitReady(Duration.ofSeconds(120));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
    while (!ringmaster.log().contains("demo story ended") && System.nanoTime() < deadline) {
      assertThat(ringmaster.isAlive()).as(ringmaster.logTail()).isTrue();
      Thread.sleep(1000);
    }
  }

  @AfterAll
  void stopTheDemo() throws Exception {
    if (ringmaster != null) ringmaster.close();
    PidFile.live(work.resolve("var/temporal-dev-server.pid")).flatMap(f -> ProcessHandle.of(f.pid())).ifPresent(ProcessHandle::destroyForcibly);
  }

  @Test
  @Order(1)
  void theGoodReleaseGoesOutAndTheBadOneRollsItselfBack() throws Exception {
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

  @Test
  @Order(2)
  void everyRunbookCommandRunsAgainstTheDemoWithTheExitCodeItsPageShows() throws Exception {
    List<String> pages;
    try (Stream<Path> files = Files.list(Path.of("runbooks"))) {
      pages = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".md") && !n.equals("README.md")).sorted().toList();
    }
    assertThat(pages).as("every runbook has its place in RUNBOOKS (and runbooks/README.md)").containsExactlyInAnyOrderElementsOf(RUNBOOKS);
    int commands = 0;
    for (String page : RUNBOOKS) {
      Script script = script(Path.of("runbooks", page));
      assertThat(script.commands).as(page + " has commands").isPositive();
      commands += script.commands;
      ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", script.text).directory(work.toFile()).redirectErrorStream(true);
      pb.environment().put("RINGMASTER_URL", "http://127.0.0.1:" + ringmaster.port());
      pb.environment().put("RINGMASTER_CLASSPATH", System.getProperty("java.class.path"));
      pb.environment().remove("RINGMASTER_TOKEN");
      Process bash = pb.start();
      StringBuilder out = new StringBuilder();
      Thread reader = new Thread(() -> {
        try {
          out.append(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          out.append(e);
        }
      });
      reader.start();
      boolean ended = bash.waitFor(8, TimeUnit.MINUTES);
      if (!ended) bash.destroyForcibly();
      reader.join(10_000);
      assertThat(ended).as(page + " did not finish within 8 minutes:\n" + out).isTrue();
      assertThat(bash.exitValue()).as(page + ":\n" + out + "\n--- Ringmaster:\n" + ringmaster.logTail()).isZero();
    }
    assertThat(commands).isGreaterThan(40);
  }

  record Script(String text, int commands) {}

  /**
   * A page's {@code sh} blocks as one bash script: each command (continuation lines joined) echoed, run, and its exit
   * code compared with the page's {@code # → exit N} (0 when it shows none). Lines marked {@link #NOT_RUN} are skipped.
   */
  static Script script(Path page) throws IOException {
    StringBuilder sh = new StringBuilder("set -u\n");
    int commands = 0;
    boolean inBlock = false;
    String pending = "";
    int lineNo = 0;
    for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
      lineNo++;
      if (!inBlock) {
        inBlock = line.strip().equals("```sh");
        continue;
      }
      if (line.strip().equals("```")) {
        inBlock = false;
        continue;
      }
      String command = pending + line;
      if (command.endsWith("\\")) {
        pending = command.substring(0, command.length() - 1) + " ";
        continue;
      }
      pending = "";
      String trimmed = command.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.contains(NOT_RUN)) continue;
      Matcher m = EXIT.matcher(trimmed);
      int expected = m.find() ? Integer.parseInt(m.group(1)) : 0;
      String where = page.getFileName() + ":" + lineNo;
      sh.append("printf '%s\\n' ").append(quote("+ " + trimmed)).append('\n').append(trimmed).append('\n')
          .append("rc=$?; if [ $rc -ne ").append(expected).append(" ]; then printf '%s%s\\n' ")
          .append(quote("RUNBOOK DRIFT " + where + ": the page shows exit " + expected + ", the command exited ")).append(" \"$rc\"; exit 99; fi\n");
      commands++;
    }
    return new Script(sh.toString(), commands);
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
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
