package dev.ringmaster.migration.flyway;

import dev.ringmaster.migration.flyway.MigrationScripts.Script;
import dev.ringmaster.migration.flyway.SqlStatements.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.alter.RenameTableStatement;
import net.sf.jsqlparser.statement.UnsupportedStatement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.truncate.Truncate;

/**
 * Refuses expand scripts that destroy or rewrite structure the running (old) version depends on: DROP of anything,
 * RENAME of tables and columns, ALTER COLUMN ... TYPE, SET NOT NULL, a NOT NULL column without a DEFAULT (the old
 * version's INSERTs would fail), TRUNCATE, DELETE without WHERE. Tables created earlier in the same location are
 * new, so the old version cannot depend on them: anything goes there.
 *
 * <p>Statements are parsed with JSqlParser, not matched with regular expressions, so a {@code DROP} inside a string,
 * a comment or a function body is not mistaken for one. A statement the parser does not understand is refused too,
 * unless a person marked it with a {@code -- ringmaster:assume-additive} comment: the check never guesses "safe".
 */
final class ExpandSafetyCheck {
  private ExpandSafetyCheck() {}

  static List<String> check(MigrationScripts expand, MigrationScripts undo) {
    List<String> problems = new ArrayList<>();
    Set<String> createdHere = new HashSet<>();
    for (Script script : expand.scripts()) {
      for (Statement s : SqlStatements.split(script.sql())) {
        String problem = problem(s, createdHere);
        if (problem != null) problems.add(script.name() + " line " + s.line() + ": " + problem + ": " + shorten(s.sql()));
      }
    }
    if (undo != null) {
      for (Script script : expand.scripts()) {
        if (script.name().startsWith("V") && script.version().isPresent() && undo.forVersion('U', script.version().get()).isEmpty()) {
          problems.add(script.name() + ": no undo script U" + script.version().get() + "__<description>.sql in " + undo.location()
              + " (a rollback could not take this migration back)");
        }
      }
    }
    return problems;
  }

  /** Why the statement is not additive, or null when it is. */
  private static String problem(Statement s, Set<String> createdHere) {
    net.sf.jsqlparser.statement.Statement parsed;
    try {
      parsed = CCJSqlParserUtil.parse(s.sql());
    } catch (Exception e) {
      parsed = null;
    }
    if (parsed == null || parsed instanceof UnsupportedStatement) {
      return s.assumeAdditive() ? null
          : "the SQL parser does not understand this statement, so it cannot be shown to be additive (if it is, put a '-- "
              + SqlStatements.ASSUME_ADDITIVE + "' comment on the line before it)";
    }
    if (parsed instanceof CreateTable ct) {
      createdHere.add(name(ct.getTable()));
      return null;
    }
    if (parsed instanceof Drop d) {
      boolean newTable = "TABLE".equalsIgnoreCase(d.getType()) && createdHere.contains(name(d.getName()));
      return newTable ? null : "DROP " + d.getType().toUpperCase(Locale.ROOT) + " removes structure the running version may use";
    }
    if (parsed instanceof Truncate t) {
      return createdHere.contains(name(t.getTable())) ? null : "TRUNCATE deletes every row of an existing table";
    }
    if (parsed instanceof Delete d) {
      return d.getWhere() != null || createdHere.contains(name(d.getTable())) ? null : "DELETE without WHERE deletes every row of an existing table";
    }
    if (parsed instanceof RenameTableStatement) {
      return "RENAME TABLE: the running version still uses the old name";
    }
    if (parsed instanceof Alter a) {
      if (createdHere.contains(name(a.getTable()))) return null;
      List<String> found = new ArrayList<>();
      for (AlterExpression e : a.getAlterExpressions()) {
        String why = problem(e, s.assumeAdditive());
        if (why != null) found.add(why);
      }
      return found.isEmpty() ? null : String.join("; ", found);
    }
    return null;
  }

  private static String problem(AlterExpression e, boolean assumeAdditive) {
    String text = e.toString().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
    return switch (e.getOperation()) {
      case DROP, DROP_PRIMARY_KEY, DROP_UNIQUE, DROP_FOREIGN_KEY, DROP_PARTITION, TRUNCATE_PARTITION ->
          "ALTER TABLE ... DROP removes structure the running version may use";
      case RENAME, RENAME_TABLE, RENAME_INDEX, RENAME_KEY, RENAME_CONSTRAINT -> "RENAME: the running version still uses the old name";
      case MODIFY, CHANGE, CONVERT -> "changing a column's definition rewrites existing structure";
      case UNSPECIFIC -> assumeAdditive ? null : "the SQL parser does not understand this ALTER TABLE, so it cannot be shown to be additive (if it is, put a '-- "
          + SqlStatements.ASSUME_ADDITIVE + "' comment on the line before it)";
      case ALTER -> text.contains(" TYPE ") || text.contains("SET DATA TYPE")
          ? "ALTER COLUMN ... TYPE rewrites an existing column"
          : text.contains("SET NOT NULL") ? "SET NOT NULL on an existing column: the running version's writes without it would fail" : null;
      case ADD -> e.getColDataTypeList() != null && text.contains("NOT NULL") && !text.contains("DEFAULT")
          ? "a NOT NULL column without a DEFAULT: the running version's INSERTs would fail" : null;
      default -> null;
    };
  }

  /** Unqualified, unquoted, lower case: how PostgreSQL folds an unquoted name. */
  private static String name(Table t) {
    if (t == null || t.getName() == null) return "";
    String n = t.getName();
    return n.startsWith("\"") ? n.substring(1, n.length() - 1) : n.toLowerCase(Locale.ROOT);
  }

  private static String shorten(String sql) {
    String one = sql.replaceAll("\\s+", " ").strip();
    return one.length() > 160 ? one.substring(0, 157) + "..." : one;
  }
}
