package dev.ringmaster.api;

import static dev.ringmaster.api.RestApi.JSON;
import static dev.ringmaster.api.RestApi.by;
import static dev.ringmaster.api.RestApi.example;
import static dev.ringmaster.api.RestApi.start;
import static dev.ringmaster.support.Postgres.columns;
import static dev.ringmaster.support.Postgres.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmaster.api.RestApi.Response;
import dev.ringmaster.migration.flyway.FlywayRunnerFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * workflows/example.yaml over the REST API with its real expand/contract/undo scripts on the embedded PostgreSQL
 * that Ringmaster starts for the {@code local-db} connection (data in a temporary directory): the schema after the
 * expand, after a rollback (undo), and after a successful rollout's contract.
 */
// Closed when the class is done, while the JVM still runs: its embedded PostgreSQL stops instead of outliving the tests.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MigrationEndToEndTest {
  @TempDir static Path dir;

  @LocalServerPort int port;
  @Autowired FlywayRunnerFactory flyway;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
  }

  @Test
  void expandThenUndoOnAbortThenExpandAndContractOnSuccess() throws Exception {
    RestApi api = new RestApi(port);

    // 1. Expanded while the first ring soaks: the new column is there and backfilled, the old one untouched.
    String id = api.call("POST", "/api/rollouts", start(example("1h"), "3.0.0")).body().get("id").asText();
    api.awaitStatus(id, "phase", "SOAKING");
    DataSource db = flyway.embeddedDataSource("local-db").orElseThrow();
    assertThat(columns(db, "greetings")).containsExactly("id", "text", "message");
    assertThat(strings(db, "SELECT text FROM greetings ORDER BY id")).as("the running version's query").containsExactly("hello", "bonjour");
    assertThat(strings(db, "SELECT message FROM greetings ORDER BY id")).containsExactly("hello", "bonjour");
    JsonNode expanded = completed(api, id, "ExpandSchema").get(0);
    assertThat(expanded.at("/versionsApplied").toString()).contains("V1 greetings table").contains("V2 greetings message");
    assertThat(expanded.at("/took").asText()).isNotEmpty();

    // 2. Aborted: the undo scripts take the expand back, newest first, after the flag and the deploy.
    api.call("POST", "/api/rollouts/" + id + "/abort", JSON.createObjectNode().put("by", "sre-on-call").put("reason", "latency"));
    api.awaitStatus(id, "state", "ROLLED_BACK");
    assertThat(columns(db, "greetings")).containsExactly("id", "text");
    assertThat(strings(db, "SELECT text FROM greetings ORDER BY id")).containsExactly("hello", "bonjour");
    JsonNode rolledBack = api.status(id);
    assertThat(rolledBack.get("rollbackSteps").get(rolledBack.get("rollbackSteps").size() - 1).asText())
        .startsWith("UndoExpand: applied [V2 undone by U2__drop_greetings_message.sql, V1 undone by U1__keep_greetings_table.sql]");
    assertThat(strings(db, "SELECT count(*) FROM flyway_schema_history WHERE type = 'SQL'")).containsExactly("0");

    // 3. The next version goes all the way: expanded again, then contracted after the last ring.
    String id2 = api.call("POST", "/api/rollouts", start(example("1s", "1s", "1s"), "3.0.1")).body().get("id").asText();
    api.awaitStatus(id2, "phase", "AWAITING_APPROVAL");
    assertThat(columns(db, "greetings")).containsExactly("id", "text", "message");
    Response approved = api.call("POST", "/api/rollouts/" + id2 + "/approve", by("alice"));
    assertThat(approved.status()).isEqualTo(200);
    api.awaitStatus(id2, "state", "SUCCEEDED");
    assertThat(columns(db, "greetings")).containsExactly("id", "message");
    assertThat(strings(db, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'greetings' AND column_name = 'message'"))
        .containsExactly("NO");
    assertThat(strings(db, "SELECT installed_by FROM flyway_schema_history_contract WHERE type = 'SQL'")).containsExactly(id2);
    assertThat(api.status(id2).get("pastPointOfNoReturn").asBoolean()).isTrue();
    assertThat(completed(api, id2, "ContractSchema").get(0).at("/versionsApplied/0").asText()).startsWith("V1 drop greetings text");

    // 4. The app's embedded database requires its generated password (beside the data, mode 0600), never shown in the history.
    Path passwordFile = dir.resolve("postgres.password");
    assertThat(java.nio.file.Files.getPosixFilePermissions(passwordFile)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    String password = java.nio.file.Files.readString(passwordFile).strip();
    String url;
    try (var c = db.getConnection()) {
      url = c.getMetaData().getURL().replaceAll("\\?.*", "");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> java.sql.DriverManager.getConnection(url, "postgres", "guess"))
        .isInstanceOf(java.sql.SQLException.class).hasMessageContaining("password authentication failed");
    java.sql.DriverManager.getConnection(url, "postgres", password).close();
    assertThat(api.call("GET", "/api/rollouts/" + id2 + "/history", null).body().toString()).doesNotContain(password);
  }

  /** The results of a step's completed activities, as the rollout history holds them. */
  private static List<JsonNode> completed(RestApi api, String id, String step) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : api.call("GET", "/api/rollouts/" + id + "/history", null).body()) {
      if (e.get("type").asText().equals("activity_task_completed") && step.equals(e.path("step").asText())) {
        JsonNode detail = JSON.readTree(e.get("detail").asText());
        out.add(detail.isArray() ? detail.get(0) : detail);
      }
    }
    assertThat(out).as(step + " completed in the history of " + id).isNotEmpty();
    return out;
  }
}
