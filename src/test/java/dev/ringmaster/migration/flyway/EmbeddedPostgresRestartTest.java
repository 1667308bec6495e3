package dev.ringmaster.migration.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.migration.MigrationOutcome;
import dev.ringmaster.support.OrphanPostgres;
import dev.ringmaster.support.RingmasterProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** After a SIGKILLed Ringmaster, its embedded PostgreSQL is an orphan holding the data directory: the next start copes. */
@Timeout(180)
class EmbeddedPostgresRestartTest {
  @TempDir Path dir;

  @Test
  void anOrphanLeftByAKilledProcessIsStoppedAndTheDatabaseStartsCleanlyWithItsData() throws Exception {
    Path data = dir.resolve("pg");
    Process owner = new ProcessBuilder(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"), OrphanPostgres.class.getName(),
        data.toString()).redirectErrorStream(true).start();
    long orphanPid;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("ready")) {
        // PostgreSQL's start-up output
      }
      assertThat(line).as("the first process started PostgreSQL").startsWith("ready");
      orphanPid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
      owner.destroyForcibly();
      assertThat(owner.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).as("PostgreSQL outlives the killed process").contains(true);

    Path scripts = Files.createDirectories(dir.resolve("expand"));
    Files.writeString(scripts.resolve("V1__t.sql"), "CREATE TABLE t (id int PRIMARY KEY);\n");
    FlywayRunnerFactory factory = new FlywayRunnerFactory();
    try {
      var runner = factory.create(new Connection("local-db", "flyway", Map.of("embedded", "true", "data-dir", data.toString(), "database", "again")));
      MigrationOutcome applied = runner.expand(scripts.toString(), "rollout-x-1");
      assertThat(applied.versionsApplied()).singleElement().asString().startsWith("V1 t");
      assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).as("the orphan was stopped").isFalse();
      assertThat(Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip())).isNotEqualTo(orphanPid);
    } finally {
      factory.destroy();
      ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aDatabaseStillOwnedByALiveProcessIsLeftAloneAndTheSecondProcessIsToldWhatToDo() throws Exception {
    Path data = dir.resolve("pg");
    Process owner = new ProcessBuilder(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"), OrphanPostgres.class.getName(),
        data.toString()).redirectErrorStream(true).start();
    long pid = -1;
    FlywayRunnerFactory factory = new FlywayRunnerFactory();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("ready")) {
        // PostgreSQL's start-up output
      }
      assertThat(line).startsWith("ready");
      pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
      assertThatThrownBy(() -> factory.create(new Connection("local-db", "flyway", Map.of("embedded", "true", "data-dir", data.toString()))))
          .hasMessageContaining("belongs to another running Ringmaster process").hasMessageContaining("url/username instead of embedded: true");
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the live owner's database keeps running").contains(true);
    } finally {
      factory.destroy();
      owner.destroyForcibly();
      owner.waitFor(10, TimeUnit.SECONDS);
      if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aDatabaseThatCannotStartSaysWhyNeverAnEmptyMessage() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    FlywayRunnerFactory factory = new FlywayRunnerFactory();
    try {
      assertThatThrownBy(() -> factory.create(new Connection("local-db", "flyway", Map.of("embedded", "true", "data-dir", notADirectory.toString()))))
          .hasMessageStartingWith("connection 'local-db': cannot start the embedded PostgreSQL in " + notADirectory + ": ")
          .hasMessageContaining(notADirectory.toString() + ": ").satisfies(e -> assertThat(e.getMessage()).doesNotEndWith(": "));
    } finally {
      factory.destroy();
    }
  }
}
