package dev.ringmaster.migration.flyway;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The embedded PostgreSQL's superuser gets a password like any database: generated once (32 random bytes), kept
 * next to the data directory in {@code <data-dir>.password} (mode 0600), set on the {@code postgres} role, and
 * {@code pg_hba.conf} switched from zonky's {@code trust} to {@code scram-sha-256}, so nothing on the machine logs
 * in without it.
 */
final class EmbeddedPassword {
  private static final Pattern TRUST = Pattern.compile("(?m)^(\\s*(?:local|host)\\S*\\s+.*\\s)trust\\s*$");

  private EmbeddedPassword() {}

  static Path fileFor(Path dataDir) {
    return dataDir.resolveSibling(dataDir.getFileName() + ".password");
  }

  static String readOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      String existing = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!existing.isEmpty()) return existing;
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException raced) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
    return password;
  }

  /**
   * A data directory still on {@code trust} (new, or from before passwords): set the password, then require it.
   * Where the password no longer matches (the file was deleted), the start is refused with what to do.
   */
  static void require(EmbeddedPostgres server, Path dataDir, String password) throws IOException {
    Path hba = dataDir.resolve("pg_hba.conf");
    String conf = Files.readString(hba, StandardCharsets.UTF_8);
    try (var c = server.getPostgresDatabase().getConnection(); var st = c.createStatement()) {
      if (!TRUST.matcher(conf).find()) return;
      st.execute("SET password_encryption = 'scram-sha-256'");
      st.execute("ALTER ROLE postgres PASSWORD '" + password + "'"); // base64url: no quote can occur
      Files.writeString(hba, TRUST.matcher(conf).replaceAll("$1scram-sha-256"), StandardCharsets.UTF_8);
      st.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      if (state.startsWith("28")) {
        throw new IllegalStateException("the embedded PostgreSQL in " + dataDir + " does not accept the password in " + fileFor(dataDir)
            + " (was the file replaced?); restore it, or delete " + dataDir + " to start with an empty database");
      }
      throw new IllegalStateException("cannot set the password of the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
    }
  }
}
