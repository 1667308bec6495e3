package dev.ringmaster.migration.flyway;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.migration.MigrationOutcome;
import dev.ringmaster.migration.MigrationRunner;
import dev.ringmaster.migration.flyway.MigrationScripts.Script;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Expand and contract with Flyway on PostgreSQL. Each location has its own schema history table: expand uses
 * {@code history-table} (default {@code flyway_schema_history}), contract {@code <history-table>_contract}, so the
 * two sequences of versions never collide. Every expand migration is recorded with the rollout ID as
 * {@code installed_by}, which is how undo knows what one rollout added.
 *
 * <p><b>Why a retried activity leaves the schema consistent.</b> PostgreSQL's DDL is transactional, and Flyway runs
 * each migration and the insert of its history row in one transaction (and holds a PostgreSQL advisory lock for the
 * whole run, so two attempts never interleave). A worker that crashes mid-migration leaves that transaction
 * uncommitted, so PostgreSQL rolls back both the half-applied DDL and the history row; the retried attempt finds the
 * migration pending and applies it whole. Migrations committed before the crash are in the history and are skipped.
 * Undo gives the same guarantee by running each undo script and the deletion of its expand history row in one
 * transaction. (Statements PostgreSQL cannot run in a transaction, such as {@code CREATE INDEX CONCURRENTLY}, lose
 * this guarantee; write them with {@code IF NOT EXISTS} so a retry is harmless.)
 */
final class FlywayMigrationRunner implements MigrationRunner {
  /** Flyway's {@code installed_by} column is VARCHAR(100). */
  private static final int INSTALLED_BY_MAX = 100;

  private final Connection connection;
  private final DataSource dataSource;
  private final String target;
  private final String historyTable;
  private final String schema;
  private final DatabaseFailures failures;

  /** @param target how messages name the database: URL and user, never the password */
  FlywayMigrationRunner(Connection connection, DataSource dataSource, String target) {
    this.connection = connection;
    this.dataSource = dataSource;
    this.target = target;
    this.historyTable = connection.setting("history-table").orElse("flyway_schema_history");
    this.schema = connection.setting("schema").orElse(null);
    this.failures = new DatabaseFailures(connection.name(), target);
  }

  @Override
  public MigrationOutcome expand(String location, String rolloutId) {
    return migrate(location, historyTable, rolloutId);
  }

  @Override
  public MigrationOutcome contract(String location, String rolloutId) {
    return migrate(location, historyTable + "_contract", rolloutId);
  }

  @Override
  public List<String> check(String expandLocation, String undoLocation, String contractLocation) {
    if (contractLocation != null) MigrationScripts.read(contractLocation);
    return ExpandSafetyCheck.check(MigrationScripts.read(expandLocation), undoLocation == null ? null : MigrationScripts.read(undoLocation));
  }

  private MigrationOutcome migrate(String location, String table, String rolloutId) {
    long started = System.nanoTime();
    MigrateResult r = call("migrating " + location, () -> flyway(location, table, rolloutId).migrate());
    List<String> applied = r.migrations.stream().map(FlywayMigrationRunner::describe).toList();
    String note = r.migrationsExecuted == 0
        ? "nothing pending in " + location + ": schema already at version " + version(r.initialSchemaVersion)
        : r.migrationsExecuted + " migration(s) applied: schema version " + version(r.initialSchemaVersion) + " → " + version(r.targetSchemaVersion);
    return new MigrationOutcome(location, applied, Duration.ofNanos(System.nanoTime() - started), note + " (" + table + ")");
  }

  private Flyway flyway(String location, String table, String rolloutId) {
    var config = Flyway.configure(getClass().getClassLoader())
        .dataSource(dataSource)
        .locations(MigrationScripts.flywayLocation(location))
        .failOnMissingLocations(true)
        .table(table)
        .installedBy(rolloutId.length() > INSTALLED_BY_MAX ? rolloutId.substring(0, INSTALLED_BY_MAX) : rolloutId)
        // A database with tables but no history table yet (an existing service's first rollout): start at version 0.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        // Earlier rollouts' scripts may since have been removed from the location, and undo deletes history rows.
        .ignoreMigrationPatterns("*:missing", "*:future")
        .validateMigrationNaming(true)
        .cleanDisabled(true);
    if (schema != null) config.schemas(schema);
    return config.load();
  }

  private static String describe(MigrateOutput m) {
    return (m.version == null || m.version.isEmpty() ? "R" : "V" + m.version) + " " + m.description + " (" + m.executionTime + " ms)";
  }

  private static String version(String v) {
    return v == null || v.isEmpty() ? "<none>" : v;
  }

  /**
   * Takes back what {@code rolloutId}'s expand applied, newest first: for each of its history rows, the undo script
   * {@code U<version>__*.sql} and the deletion of the row, committed together. A retry after a crash finds the
   * undone rows gone and continues with the rest.
   */
  @Override
  public MigrationOutcome undo(String undoLocation, String rolloutId) {
    long started = System.nanoTime();
    MigrationScripts scripts = MigrationScripts.read(undoLocation);
    List<String> undone = call("undoing with " + undoLocation, () -> {
      List<String> done = new ArrayList<>();
      try (java.sql.Connection c = dataSource.getConnection()) {
        for (Applied a : appliedBy(c, rolloutId)) {
          Script script = scripts.forVersion('U', MigrationVersion.fromVersion(a.version))
              .orElseThrow(() -> new PermanentFailure("connection '" + connection.name() + "': no undo script U" + a.version
                  + "__<description>.sql in " + undoLocation + " for expand migration V" + a.version + " (" + a.description + ")"));
          if (undoOne(c, a, script)) done.add("V" + a.version + " undone by " + script.name());
        }
      } catch (SQLException e) {
        throw new DatabaseFailures.SqlFailure(e);
      }
      return done;
    });
    String note = undone.isEmpty() ? "nothing to undo: no expand migration of " + rolloutId + " is applied" : undone.size() + " expand migration(s) undone";
    return new MigrationOutcome(undoLocation, undone, Duration.ofNanos(System.nanoTime() - started), note + " (" + historyTable + ")");
  }

  private record Applied(int rank, String version, String description) {}

  private String qualified(String table) {
    return (schema == null ? "" : quote(schema) + ".") + quote(table);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private List<Applied> appliedBy(java.sql.Connection c, String rolloutId) throws SQLException {
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, qualified(historyTable));
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) return List.of();
      }
    }
    List<Applied> out = new ArrayList<>();
    String sql = "SELECT installed_rank, version, description FROM " + qualified(historyTable)
        + " WHERE installed_by = ? AND success AND version IS NOT NULL AND type <> 'BASELINE' ORDER BY installed_rank DESC";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, rolloutId.length() > INSTALLED_BY_MAX ? rolloutId.substring(0, INSTALLED_BY_MAX) : rolloutId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(new Applied(rs.getInt(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }

  /** One undo script and its history row's deletion in one transaction; false when another attempt got there first. */
  private boolean undoOne(java.sql.Connection c, Applied a, Script script) throws SQLException {
    c.setAutoCommit(false);
    try {
      try (PreparedStatement lock = c.prepareStatement("SELECT 1 FROM " + qualified(historyTable) + " WHERE installed_rank = ? FOR UPDATE")) {
        lock.setInt(1, a.rank);
        try (ResultSet rs = lock.executeQuery()) {
          if (!rs.next()) {
            c.rollback();
            return false;
          }
        }
      }
      try (var st = c.createStatement()) {
        st.execute(script.sql());
      }
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + qualified(historyTable) + " WHERE installed_rank = ?")) {
        delete.setInt(1, a.rank);
        delete.executeUpdate();
      }
      c.commit();
      return true;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Runs a database action; its failure is classified by {@link DatabaseFailures}. */
  private <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (PermanentFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw failures.classify(what, e);
    }
  }
}
