package dev.ringmaster.migration.flyway;

import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.connection.Redactor;
import dev.ringmaster.migration.NothingApplied;
import java.sql.SQLException;
import org.flywaydb.core.api.FlywayException;

/**
 * How a failed database action reads and whether it is retried: credentials, a missing database and broken scripts
 * are {@link PermanentFailure} (a retry cannot fix them; the first two are {@link NothingApplied}); an unreachable or
 * busy database is retried by the activity. Messages name the connection and its URL and user, never the password.
 */
final class DatabaseFailures {
  private final String connection;
  private final String target;

  /** @param target how messages name the database: URL and user, never the password */
  DatabaseFailures(String connection, String target) {
    this.connection = connection;
    this.target = target;
  }

  /** Carries a JDBC failure out of a lambda to the runner's call, which classifies it. */
  static final class SqlFailure extends RuntimeException {
    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  RuntimeException classify(String what, RuntimeException e) {
    String prefix = "connection '" + connection + "' (" + target + "), " + what + ": ";
    SQLException sql = sqlCause(e);
    String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
    String detail = Redactor.redact(shorten(e.getMessage()), System.getenv());
    if (state.startsWith("28")) {
      return new NothingApplied(prefix + "the database refused the credentials (SQLState " + state + "): " + shorten(sql.getMessage())
          + " — check the user and the password in the environment variable named by password-env");
    }
    if (state.equals("3D000")) {
      return new NothingApplied(prefix + "the database does not exist (SQLState 3D000): " + shorten(sql.getMessage()));
    }
    if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("40") || state.equals("55P03")) {
      return new RuntimeException(prefix + "database unreachable or busy (SQLState " + state + "), will be retried: " + detail);
    }
    if (sql != null || e instanceof FlywayException) {
      // A script the database rejects (syntax, constraint, missing object) or a history that fails validation
      // (an applied script was edited): the same attempt would fail the same way.
      return new PermanentFailure(prefix + detail);
    }
    return new RuntimeException(prefix + detail, e);
  }

  private static SQLException sqlCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException s) return s;
    }
    return null;
  }

  private static String shorten(String s) {
    if (s == null) return "";
    return s.length() > 2000 ? s.substring(0, 2000) + " ..." : s;
  }
}
