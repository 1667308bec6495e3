package dev.ringmaster.rollouts;

import dev.ringmaster.definition.InvalidDefinitionException;
import dev.ringmaster.definition.Problem;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.definition.RolloutDefinition.Migration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a definition's migration scripts may come from. A location resolves against the definition's directory (the
 * workflows directory for an inline definition) and must end up, after normalisation and symlink resolution, inside
 * an allowed root: {@code ringmaster.migrations.allowed-roots} (default: the workflows directory) or, for a
 * {@code definitionPath}, the definition's own directory. An inline definition may only name relative locations.
 * {@code classpath:} locations are allowed only under a {@code classpath:} prefix listed in the allowed roots. No
 * file inside a location may be a link out of it. Refusals name the field and never show a file's contents.
 */
final class MigrationLocations {
  private final List<Path> roots = new ArrayList<>();
  private final List<String> classpathRoots = new ArrayList<>();
  private final Path workflowsDir;

  MigrationLocations(Path workflowsDir, List<String> allowedRoots) {
    this.workflowsDir = real(workflowsDir);
    for (String r : allowedRoots.isEmpty() ? List.of(this.workflowsDir.toString()) : allowedRoots) {
      if (r.startsWith("classpath:")) {
        classpathRoots.add(trimSlashes(r.substring("classpath:".length())));
      } else {
        roots.add(real(Path.of(r)));
      }
    }
  }

  /** The definition with every migration location replaced by its real absolute path (or its classpath location). */
  RolloutDefinition confine(RolloutDefinition d, Path definitionDir, boolean inline) {
    Migration m = d.spec() == null ? null : d.spec().migration();
    if (m == null) return d;
    List<Path> allowed = new ArrayList<>(roots);
    if (!inline) allowed.add(real(definitionDir));
    List<Problem> problems = new ArrayList<>();
    Map<String, String> resolved = new LinkedHashMap<>();
    for (var field : Map.of("expand", nullToEmpty(m.expand()), "contract", nullToEmpty(m.contract()), "undo", nullToEmpty(m.undo())).entrySet()) {
      if (field.getValue().isEmpty()) continue;
      String path = "spec.migration." + field.getKey();
      String r = resolve(path, field.getValue(), inline ? workflowsDir : definitionDir, inline, allowed, problems);
      if (r != null) resolved.put(field.getKey(), r);
    }
    if (!problems.isEmpty()) throw new InvalidDefinitionException(problems);
    return d.withMigration(new Migration(m.connection(), resolved.get("expand"), resolved.get("contract"), resolved.get("undo")));
  }

  private String resolve(String field, String location, Path base, boolean inline, List<Path> allowed, List<Problem> problems) {
    String hint = inline
        ? "an inline definition names locations relative to the workflows directory " + workflowsDir + ", e.g. example/db/expand"
        : "name a directory relative to the definition's file, inside " + describe(allowed);
    if (location.startsWith("classpath:")) {
      String cp = trimSlashes(location.substring("classpath:".length()));
      boolean ok = !cp.isEmpty() && !List.of(cp.split("/")).contains("..")
          && classpathRoots.stream().anyMatch(r -> r.isEmpty() || cp.equals(r) || cp.startsWith(r + "/"));
      if (ok) return "classpath:" + cp;
      problems.add(new Problem(field, "'" + location + "' is outside the allowed migration roots",
          classpathRoots.isEmpty() ? "classpath: locations need a classpath: prefix in ringmaster.migrations.allowed-roots" : "allowed classpath prefixes: " + classpathRoots));
      return null;
    }
    Path given;
    try {
      given = Path.of(location);
    } catch (InvalidPathException e) {
      problems.add(new Problem(field, "is not a valid path", hint));
      return null;
    }
    if (inline && given.isAbsolute()) {
      problems.add(new Problem(field, "'" + location + "' is an absolute path; an inline definition may only name relative locations", hint));
      return null;
    }
    Path dir = base.resolve(given).normalize();
    if (allowed.stream().noneMatch(dir::startsWith)) {
      problems.add(new Problem(field, "'" + location + "' is outside the allowed migration roots", hint));
      return null;
    }
    if (!Files.isDirectory(dir)) {
      problems.add(new Problem(field, "'" + location + "' is not a directory", hint));
      return null;
    }
    Path realDir;
    try {
      realDir = dir.toRealPath();
    } catch (IOException e) {
      problems.add(new Problem(field, "'" + location + "' cannot be read", hint));
      return null;
    }
    if (allowed.stream().noneMatch(realDir::startsWith)) {
      problems.add(new Problem(field, "'" + location + "' leads out of the allowed migration roots through a symbolic link", hint));
      return null;
    }
    try (Stream<Path> files = Files.walk(realDir, 8)) {
      Path escaping = files.filter(f -> !within(f, realDir)).findFirst().orElse(null);
      if (escaping != null) {
        problems.add(new Problem(field, "'" + realDir.relativize(escaping) + "' in '" + location + "' is a link out of the location", "copy the script into the location instead"));
        return null;
      }
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(field, "'" + location + "' cannot be listed", hint));
      return null;
    }
    return realDir.toString();
  }

  private static boolean within(Path file, Path dir) {
    try {
      return file.toRealPath().startsWith(dir);
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(List<Path> allowed) {
    return allowed.stream().map(Path::toString).distinct().reduce((a, b) -> a + ", " + b).orElse("(none)");
  }

  private static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }

  private static String trimSlashes(String s) {
    String t = s;
    while (t.startsWith("/")) t = t.substring(1);
    while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
    return t;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
