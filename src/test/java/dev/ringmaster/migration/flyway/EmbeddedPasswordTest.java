package dev.ringmaster.migration.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.connection.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL (real, from Maven) requires a generated password kept beside its data, mode 0600. */
@Timeout(180)
class EmbeddedPasswordTest {
  @TempDir Path dir;

  @Test
  void theSuperuserNeedsTheGeneratedPasswordAcrossRestarts() throws Exception {
    Path data = dir.resolve("var/postgres/db");
    Path passwordFile = dir.resolve("var/postgres/db.password");
    Path scripts = Files.createDirectories(dir.resolve("expand"));
    Files.writeString(scripts.resolve("V1__t.sql"), "CREATE TABLE t (id int PRIMARY KEY);\n");
    Connection c = new Connection("db", "flyway", Map.of("embedded", "true", "data-dir", data.toString(), "database", "shop"));

    FlywayRunnerFactory first = new FlywayRunnerFactory();
    try {
      assertThat(first.create(c).expand(scripts.toString(), "rollout-x-1").versionsApplied()).hasSize(1);
    } finally {
      first.destroy();
    }
    assertThat(Files.getPosixFilePermissions(passwordFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String password = Files.readString(passwordFile).strip();
    assertThat(password).hasSizeGreaterThanOrEqualTo(40);
    assertThat(Files.readString(data.resolve("pg_hba.conf"))).doesNotContainPattern("(?m)^\\s*(local|host)\\S*\\s.*\\strust\\s*$");

    FlywayRunnerFactory second = new FlywayRunnerFactory();
    try {
      var runner = second.create(c);
      assertThat(runner.expand(scripts.toString(), "rollout-x-1").versionsApplied()).as("already applied, data kept").isEmpty();
      assertThat(second.embeddedDataSource("db")).isPresent();
      String port = jdbcUrl(second).replaceAll(".*localhost:(\\d+)/.*", "$1");
      String plain = "jdbc:postgresql://localhost:" + port + "/shop";
      assertThatThrownBy(() -> DriverManager.getConnection(plain, "postgres", null)).isInstanceOf(SQLException.class)
          .hasMessageContaining("no password was provided");
      assertThatThrownBy(() -> DriverManager.getConnection(plain, "postgres", "wrong-password")).isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("28"));
      try (var ok = DriverManager.getConnection(plain, "postgres", password); var rs = ok.createStatement().executeQuery("SELECT count(*) FROM t")) {
        assertThat(rs.next()).isTrue();
      }
    } finally {
      second.destroy();
    }
  }

  /** The JDBC URL of the running server (its port differs per start). */
  private static String jdbcUrl(FlywayRunnerFactory f) throws SQLException {
    try (var conn = f.embeddedDataSource("db").orElseThrow().getConnection()) {
      return conn.getMetaData().getURL();
    }
  }
}
