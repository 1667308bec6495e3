package dev.ringmaster.migration.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.migration.flyway.MigrationScripts.Script;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpandSafetyCheckTest {

  static List<String> check(String sql) {
    return ExpandSafetyCheck.check(new MigrationScripts("db/expand", List.of(new Script("V7__change.sql", sql))), null);
  }

  /** Each destructive form, on line 3 after an additive statement: refused with file, line, reason and statement. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "DROP TABLE orders                                    | DROP TABLE removes structure the running version may use",
      "DROP INDEX IF EXISTS orders_status                   | DROP INDEX removes structure the running version may use",
      "DROP VIEW open_orders                                | DROP VIEW removes structure the running version may use",
      "ALTER TABLE orders DROP COLUMN status                | ALTER TABLE ... DROP removes structure the running version may use",
      "ALTER TABLE orders DROP CONSTRAINT orders_pkey       | ALTER TABLE ... DROP removes structure the running version may use",
      "ALTER TABLE orders RENAME COLUMN status TO state     | RENAME: the running version still uses the old name",
      "ALTER TABLE orders RENAME TO purchases               | RENAME: the running version still uses the old name",
      "ALTER TABLE orders ALTER COLUMN total TYPE bigint     | ALTER COLUMN ... TYPE rewrites an existing column",
      "ALTER TABLE orders ALTER COLUMN status SET NOT NULL  | SET NOT NULL on an existing column: the running version's writes without it would fail",
      "ALTER TABLE orders ADD COLUMN code int NOT NULL      | a NOT NULL column without a DEFAULT: the running version's INSERTs would fail",
      "TRUNCATE orders                                      | TRUNCATE deletes every row of an existing table",
      "TRUNCATE TABLE orders CASCADE                        | TRUNCATE deletes every row of an existing table",
      "DELETE FROM orders                                   | DELETE without WHERE deletes every row of an existing table",
  })
  void refusesEachDestructiveFormWithFileLineAndStatement(String statement, String reason) {
    String sql = "ALTER TABLE orders ADD COLUMN note text;\n\n" + statement + ";\n";
    assertThat(check(sql)).containsExactly("V7__change.sql line 3: " + reason + ": " + statement);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "ALTER TABLE orders ADD COLUMN status_code smallint",
      "ALTER TABLE orders ADD COLUMN IF NOT EXISTS status_code smallint",
      "ALTER TABLE orders ADD COLUMN flags int NOT NULL DEFAULT 0",
      "ALTER TABLE orders ALTER COLUMN status DROP NOT NULL",
      "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'open'",
      "CREATE TABLE order_events (id bigserial PRIMARY KEY, kind text NOT NULL)",
      "CREATE UNIQUE INDEX orders_customer ON orders USING btree (customer)",
      "CREATE OR REPLACE VIEW open_orders AS SELECT * FROM orders WHERE status = 'open'",
      "UPDATE orders SET status_code = 1 WHERE status = 'open'",
      "UPDATE orders SET status_code = 0",
      "DELETE FROM orders WHERE id = 7",
      "INSERT INTO order_kinds (name) VALUES ('drop table orders') ON CONFLICT DO NOTHING",
      "COMMENT ON COLUMN orders.status IS 'deprecated: DROP in contract'",
      "CREATE SEQUENCE order_numbers",
      "CREATE FUNCTION order_total(bigint) RETURNS bigint AS $$ DELETE FROM audit; SELECT 1::bigint $$ LANGUAGE sql",
      "-- DROP TABLE orders; in a comment\nALTER TABLE orders ADD COLUMN a text",
      "/* TRUNCATE orders; /* nested */ still a comment */ ALTER TABLE orders ADD COLUMN a text",
  })
  void acceptsAdditiveStatements(String sql) {
    assertThat(check(sql)).isEmpty();
  }

  @Test
  void tablesCreatedEarlierInTheLocationAreNewSoAnythingGoesThere() {
    String sql = """
        CREATE TABLE scratch (id int, v text);
        ALTER TABLE scratch RENAME COLUMN v TO value;
        ALTER TABLE scratch ALTER COLUMN value SET NOT NULL;
        DELETE FROM scratch;
        TRUNCATE scratch;
        DROP TABLE scratch;
        DROP TABLE orders;
        """;
    assertThat(check(sql)).containsExactly("V7__change.sql line 7: DROP TABLE removes structure the running version may use: DROP TABLE orders");
  }

  @Test
  void aStatementTheParserDoesNotKnowIsRefusedUnlessAPersonMarkedIt() {
    String sql = """
        DO $$ BEGIN
          PERFORM 1;
        END $$;
        -- ringmaster:assume-additive (reviewed: only creates the index)
        CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status ON orders (status);
        ALTER TABLE orders ALTER COLUMN total SET DATA TYPE bigint;
        """;
    assertThat(check(sql)).containsExactly(
        "V7__change.sql line 1: the SQL parser does not understand this statement, so it cannot be shown to be additive "
            + "(if it is, put a '-- ringmaster:assume-additive' comment on the line before it): DO $$ BEGIN PERFORM 1; END $$",
        "V7__change.sql line 6: the SQL parser does not understand this statement, so it cannot be shown to be additive "
            + "(if it is, put a '-- ringmaster:assume-additive' comment on the line before it): ALTER TABLE orders ALTER COLUMN total SET DATA TYPE bigint");
  }

  @Test
  void aScriptThatLinksOutOfItsLocationIsRefusedWithoutReadingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path outside = java.nio.file.Files.writeString(dir.resolve("secret.txt"), "DROP TABLE everything; -- and other private text\n");
    java.nio.file.Path location = java.nio.file.Files.createDirectories(dir.resolve("expand"));
    java.nio.file.Files.createSymbolicLink(location.resolve("V1__x.sql"), outside);
    assertThatThrownBy(() -> MigrationScripts.read(location.toString())).isInstanceOf(dev.ringmaster.connection.PermanentFailure.class)
        .hasMessageContaining("V1__x.sql is a link out of the location").satisfies(e -> assertThat(e.getMessage()).doesNotContain("private text"));
  }

  @Test
  void everyExpandVersionNeedsItsUndoScriptWhenUndoIsConfigured() {
    MigrationScripts expand = new MigrationScripts("db/expand", List.of(
        new Script("V1__a.sql", "ALTER TABLE orders ADD COLUMN a text"), new Script("V1_1__b.sql", "ALTER TABLE orders ADD COLUMN b text")));
    MigrationScripts undo = new MigrationScripts("db/undo", List.of(new Script("U1__a.sql", "ALTER TABLE orders DROP COLUMN a")));
    assertThat(ExpandSafetyCheck.check(expand, undo)).containsExactly(
        "V1_1__b.sql: no undo script U1.1__<description>.sql in db/undo (a rollback could not take this migration back)");
  }

  @Test
  void readsRealLocationsInVersionOrderAndNamesTheFile() {
    assertThat(ExpandSafetyCheck.check(MigrationScripts.read("classpath:migrations/orders/expand"), MigrationScripts.read("classpath:migrations/orders/undo")))
        .isEmpty();
    assertThat(ExpandSafetyCheck.check(MigrationScripts.read("classpath:migrations/orders/destructive"), null)).containsExactly(
        "V1__rename.sql line 2: RENAME: the running version still uses the old name: ALTER TABLE orders RENAME COLUMN status TO state");
    assertThat(ExpandSafetyCheck.check(MigrationScripts.read("classpath:migrations/orders/contract"), null)).hasSize(2);
  }
}
