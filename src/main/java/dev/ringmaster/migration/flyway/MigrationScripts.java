package dev.ringmaster.migration.flyway;

import dev.ringmaster.connection.PermanentFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.api.MigrationVersion;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The SQL scripts of a migration location, named as Flyway names them: {@code V<version>__<description>.sql} for
 * versioned migrations, {@code R__<description>.sql} for repeatable ones, and (our convention for the undo location)
 * {@code U<version>__<description>.sql} undoing {@code V<version>}. A location is {@code classpath:some/dir}, or a
 * filesystem directory ({@code filesystem:/dir} or a plain path).
 */
record MigrationScripts(String location, List<Script> scripts) {
  record Script(String name, String sql) {
    /** The version of a {@code V} or {@code U} script, empty for anything else. */
    Optional<MigrationVersion> version() {
      int sep = name.indexOf("__");
      if (sep < 2 || (name.charAt(0) != 'V' && name.charAt(0) != 'U')) return Optional.empty();
      try {
        return Optional.of(MigrationVersion.fromVersion(name.substring(1, sep).replace('_', '.')));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
  }

  private static final PathMatchingResourcePatternResolver RESOLVER = new PathMatchingResourcePatternResolver();

  /** The location as Flyway expects it. */
  static String flywayLocation(String location) {
    if (location.startsWith("classpath:") || location.startsWith("filesystem:")) return location;
    return "filesystem:" + Path.of(location).toAbsolutePath().normalize();
  }

  /** Every {@code .sql} script in the location (and below), versioned ones in version order, then the others. */
  static MigrationScripts read(String location) {
    String pattern;
    if (location.startsWith("classpath:")) {
      pattern = "classpath*:" + trim(location.substring("classpath:".length())) + "/**/*.sql";
    } else {
      Path dir = Path.of(location.startsWith("filesystem:") ? location.substring("filesystem:".length()) : location).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) throw new PermanentFailure("migration location " + location + " is not a directory (" + dir + ")");
      pattern = "file:" + dir + "/**/*.sql";
    }
    try {
      Resource[] found = RESOLVER.getResources(pattern);
      if (!location.startsWith("classpath:")) refuseLinksOut(location, found);
      if (found.length == 0 && location.startsWith("classpath:")) {
        throw new PermanentFailure("migration location " + location + " has no .sql scripts on the classpath");
      }
      List<Script> scripts = Arrays.stream(found)
          .map(r -> new Script(r.getFilename(), content(r)))
          .sorted(Comparator.comparing((Script s) -> s.version().isEmpty())
              .thenComparing(s -> s.version().orElse(MigrationVersion.EMPTY))
              .thenComparing(Script::name))
          .toList();
      return new MigrationScripts(location, scripts);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list migration location " + location, e);
    }
  }

  /** A script that is a symbolic link out of its location is never read (its contents could be any file). */
  private static void refuseLinksOut(String location, Resource[] found) throws IOException {
    Path dir = Path.of(location.startsWith("filesystem:") ? location.substring("filesystem:".length()) : location).toRealPath();
    for (Resource r : found) {
      if (!r.getFile().toPath().toRealPath().startsWith(dir)) {
        throw new PermanentFailure("migration location " + location + ": " + r.getFilename() + " is a link out of the location; refused");
      }
    }
  }

  Optional<Script> forVersion(char prefix, MigrationVersion version) {
    return scripts.stream().filter(s -> s.name().charAt(0) == prefix && s.version().filter(version::equals).isPresent()).findFirst();
  }

  private static String trim(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static String content(Resource r) {
    try (var in = r.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration script " + r.getDescription(), e);
    }
  }
}
