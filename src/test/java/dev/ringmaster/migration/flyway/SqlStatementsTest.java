package dev.ringmaster.migration.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.migration.flyway.SqlStatements.Statement;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

  @Test
  void splitsOnSemicolonsOutsideStringsIdentifiersCommentsAndDollarQuotes() {
    String script = """
        -- header; not a statement
        INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\\'slash;');
        CREATE TABLE "odd;name" (id int);

        /* block; /* nested; */ still; */
        CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
        SELECT $1::int
        ;  SELECT 2""";
    assertThat(SqlStatements.split(script)).extracting(Statement::line, Statement::sql).containsExactly(
        org.assertj.core.groups.Tuple.tuple(2, "INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\\'slash;')"),
        org.assertj.core.groups.Tuple.tuple(3, "CREATE TABLE \"odd;name\" (id int)"),
        org.assertj.core.groups.Tuple.tuple(6, "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql"),
        org.assertj.core.groups.Tuple.tuple(7, "SELECT $1::int"),
        org.assertj.core.groups.Tuple.tuple(8, "SELECT 2"));
  }

  @Test
  void theAssumeAdditiveMarkApplesToTheNextStatementOnly() {
    String script = "SELECT 1;\n-- ringmaster:assume-additive\nDO $$ BEGIN END $$;\nSELECT 3;";
    assertThat(SqlStatements.split(script)).extracting(Statement::assumeAdditive).containsExactly(false, true, false);
  }
}
