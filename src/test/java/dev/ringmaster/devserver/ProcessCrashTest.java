package dev.ringmaster.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.devserver.DevServer.PidFile;
import dev.ringmaster.support.RingmasterProcess;
import dev.ringmaster.support.RingmasterProcess.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default set-up with real OS processes: Ringmaster starts the Temporal dev server as a process of its own; a
 * SIGKILL of Ringmaster mid-soak loses nothing (a new Ringmaster reuses the dev server through its PID file and the
 * rollout finishes by itself); two Ringmaster processes share the work and either answers for every rollout; with
 * the dev server gone the API answers 503 and health is DOWN, and both recover when a dev server is back, without a
 * restart; {@code ./ringmaster-dev-server stop} stops it.
 */
@Timeout(300)
class ProcessCrashTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path work;
  private final List<RingmasterProcess> processes = new java.util.ArrayList<>();
  private int temporalPort;

  @AfterEach
  void stopEverything() throws Exception {
    for (RingmasterProcess p : processes) p.close();
    PidFile.live(work.resolve("var/temporal-dev-server.pid")).flatMap(f -> ProcessHandle.of(f.pid())).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** A Ringmaster process's settings here: the dev server on {@code temporalPort}, the local flags and deploys in {@code work}. */
  static Map<String, String> localProperties(Path work, int temporalPort) {
    Map<String, String> props = new HashMap<>();
    props.put("ringmaster.temporal.embedded-port", String.valueOf(temporalPort));
    props.put("ringmaster.connections.local-flags.path", work.resolve("flags.json").toString());
    String scripts = Path.of("workflows/local").toAbsolutePath().toString();
    props.put("ringmaster.connections.local-deploy.deploy", "RINGMASTER_LOCAL_DIR=" + work + " sh " + scripts + "/deploy.sh {version}");
    props.put("ringmaster.connections.local-deploy.current-version", "RINGMASTER_LOCAL_DIR=" + work + " sh " + scripts + "/current-version.sh");
    props.put("ringmaster.workflows-dir", Path.of("workflows").toAbsolutePath().toString());
    return props;
  }

  RingmasterProcess ringmaster() throws Exception {
    RingmasterProcess p = RingmasterProcess.start(work, localProperties(work, temporalPort));
    processes.add(p);
    return p.awaitReady(Duration.ofSeconds(90));
  }

  /**
   * The example without its migration (a SIGKILLed process would strand its embedded PostgreSQL) and without approval;
   * each version its own flag (a flag that 1.0.0 fully released is refused to 1.0.1 without reuse: true).
   */
  static ObjectNode rollout(String domain, String version, String soak) throws Exception {
    String yaml = Files.readString(Path.of("workflows/example.yaml"));
    yaml = yaml.substring(0, yaml.indexOf("  migration:")) + yaml.substring(yaml.indexOf("  rings:"));
    yaml = yaml.replace("soak: 20s", "soak: " + soak).replace("      approval: { approvers: [alice, bob], quorum: 1, timeout: 1h, onTimeout: rollback }\n", "")
        .replace("domain: demo", "domain: " + domain).replace("key: new-example-flow", "key: " + flagKey(version));
    return JSON.createObjectNode().put("definition", yaml).put("version", version).put("triggeredBy", "ci");
  }

  static String flagKey(String version) {
    return "new-example-flow-" + version.replace('.', '-');
  }

  static JsonNode awaitStatus(RingmasterProcess p, String id, String field, String value, Duration within) {
    return await().atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> p.call("GET", "/api/rollouts/" + id, null).body(), b -> b != null && value.equals(b.path(field).asText()));
  }

  List<String> deploys() throws Exception {
    return Files.readAllLines(work.resolve("deploy.log")).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
  }

  @Test
  void aRolloutOutlivesASigkilledRingmasterAndFinishesUnderTheNextOneAndTwoWorkersShareTheWork() throws Exception {
    temporalPort = RingmasterProcess.freePort();
    Path pidFile = work.resolve("var/temporal-dev-server.pid");

    // 1. Ringmaster starts the dev server as its own process.
    RingmasterProcess first = ringmaster();
    PidFile devServer = PidFile.live(pidFile).orElseThrow(() -> new AssertionError("no live dev server PID file:\n" + first.logTail()));
    assertThat(devServer.pid()).isNotEqualTo(first.pid());
    assertThat(devServer.port()).isEqualTo(temporalPort);
    assertThat(first.log()).contains("IN MEMORY");
    // its command line as Linux keeps it (ProcessHandle.Info gives no arguments for a command line this long)
    List<String> devServerCommand = List.of(Files.readString(Path.of("/proc/" + devServer.pid() + "/cmdline")).split("\0"));
    assertThat(devServerCommand).as("the dev server JVM's default options (ringmaster.temporal.dev-server-jvm-options)")
        .contains("-XX:TieredStopAtLevel=1");

    // 2. A rollout mid-soak, then SIGKILL of the only Ringmaster process.
    Answer started = first.call("POST", "/api/rollouts", rollout("crash", "1.0.0", "8s"));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    awaitStatus(first, id, "phase", "SOAKING", Duration.ofSeconds(30));
    first.kill();
    assertThat(ProcessHandle.of(devServer.pid()).map(ProcessHandle::isAlive)).as("the dev server outlives Ringmaster").contains(true);

    // 3. The README's run command again (the same main, the same directory): it reuses the dev server and resumes the rollout.
    RingmasterProcess second = ringmaster();
    assertThat(PidFile.live(pidFile)).contains(devServer);
    assertThat(second.log()).contains("Reusing the Temporal dev server on 127.0.0.1:" + temporalPort);
    JsonNode done = awaitStatus(second, id, "state", "SUCCEEDED", Duration.ofSeconds(90));
    assertThat(done.path("rings").findValuesAsText("state")).containsOnly("DONE");
    assertThat(deploys()).as("deployed once, never again after the restart").containsExactly(id + " deploy 1.0.0");
    assertThat(JSON.readTree(work.resolve("flags.json").toFile()).at("/flags/" + flagKey("1.0.0") + "/defaultVariant").asText()).isEqualTo("on");

    // 4. Two workers: a rollout started through one is read through the other; the one running it dies, the other finishes it.
    RingmasterProcess third = ringmaster();
    Answer next = third.call("POST", "/api/rollouts", rollout("crash", "1.0.1", "6s"));
    assertThat(next.status()).isEqualTo(201);
    String id2 = next.body().get("id").asText();
    awaitStatus(second, id2, "phase", "SOAKING", Duration.ofSeconds(30));
    second.kill();
    awaitStatus(third, id2, "state", "SUCCEEDED", Duration.ofSeconds(90));
    assertThat(deploys()).containsExactly(id + " deploy 1.0.0", id2 + " deploy 1.0.1");

    // 5. The dev server stopped by its explicit command: the API answers 503 at once, health is DOWN with the reason.
    Process stopIt = new ProcessBuilder("sh", "-c", "RINGMASTER_DEV_SERVER_PID_FILE=" + pidFile + " ./ringmaster-dev-server stop").redirectErrorStream(true).start();
    String said = new String(stopIt.getInputStream().readAllBytes());
    assertThat(stopIt.waitFor()).as(said).isZero();
    assertThat(said).contains("stopped (pid " + devServer.pid() + ")");
    assertThat(ProcessHandle.of(devServer.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    long asked = System.nanoTime();
    Answer unreachable = third.call("GET", "/api/rollouts/" + id2, null);
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(8));
    assertThat(unreachable.status()).isEqualTo(503);
    assertThat(unreachable.body().get("error").asText()).isEqualTo("Temporal at 127.0.0.1:" + temporalPort + " is unreachable");
    Answer health = third.call("GET", "/actuator/health", null);
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.body().at("/components/temporal/details/reason").asText()).startsWith("Temporal at 127.0.0.1:" + temporalPort + " is unreachable");

    // 6. A dev server back on the port (empty: its state was in memory): Ringmaster recovers without a restart.
    Process back = new ProcessBuilder(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"), DevServer.class.getName(),
        "--port", String.valueOf(temporalPort), "--pid-file", pidFile.toString()).redirectErrorStream(true)
        .redirectOutput(work.resolve("dev-server-2.log").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> third.call("GET", "/actuator/health", null).status() == 200);
      Answer again = third.call("POST", "/api/rollouts", rollout("crash", "1.0.2", "1s"));
      assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(201);
      awaitStatus(third, again.body().get("id").asText(), "state", "SUCCEEDED", Duration.ofSeconds(60));
    } finally {
      back.destroyForcibly();
    }
    assertThat(third.isAlive()).as("the same Ringmaster process throughout").isTrue();
  }
}
