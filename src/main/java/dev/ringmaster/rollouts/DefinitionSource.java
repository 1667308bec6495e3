package dev.ringmaster.rollouts;

import dev.ringmaster.definition.DefinitionLoader;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a started rollout's definition comes from: inline YAML, or a file inside the workflows directory. Migration
 * locations are confined and resolved here, once ({@link MigrationLocations}), so the workflow only ever sees real
 * paths inside an allowed root (or allowed {@code classpath:} locations).
 */
final class DefinitionSource {
  private final DefinitionLoader loader;
  private final Path workflowsDir;
  private final MigrationLocations migrations;

  DefinitionSource(DefinitionLoader loader, Path workflowsDir, List<String> allowedMigrationRoots) {
    this.loader = loader;
    this.workflowsDir = workflowsDir.toAbsolutePath().normalize();
    this.migrations = new MigrationLocations(this.workflowsDir, allowedMigrationRoots);
  }

  RolloutDefinition load(StartRequest body) {
    boolean inline = body.definition() != null && !body.definition().isBlank();
    boolean byPath = body.definitionPath() != null && !body.definitionPath().isBlank();
    if (inline == byPath) {
      throw new CommandRefused(Reason.INVALID, "send exactly one of 'definition' (the YAML) or 'definitionPath'",
          List.of("e.g. {\"definitionPath\": \"workflows/example.yaml\", \"version\": \"1.4.2\"}"));
    }
    if (inline) return migrations.confine(loader.load(body.definition()), workflowsDir, true);
    Path file = file(body.definitionPath());
    String yaml;
    try {
      if (Files.isDirectory(file)) throw new CommandRefused(Reason.INVALID, "definitionPath '" + body.definitionPath() + "' is a directory, not a definition file");
      if (Files.size(file) > DefinitionLoader.MAX_CHARACTERS * 4L) throw tooLarge(body.definitionPath());
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CommandRefused(Reason.INVALID, "definitionPath '" + body.definitionPath() + "' does not exist");
    } catch (IOException e) {
      throw new CommandRefused(Reason.INVALID, "cannot read definitionPath '" + body.definitionPath() + "' (" + e.getClass().getSimpleName() + ")");
    }
    return migrations.confine(loader.load(yaml), file.getParent(), false);
  }

  /** The file a {@code definitionPath} names, refused unless it is inside the workflows directory (after symlinks too). */
  private Path file(String definitionPath) {
    Path root = workflowsDir.getParent() == null ? workflowsDir : workflowsDir.getParent();
    Path file;
    try {
      file = root.resolve(definitionPath).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new CommandRefused(Reason.INVALID, "definitionPath is not a valid path (" + e.getReason() + ")", List.of("e.g. workflows/example.yaml"));
    }
    boolean inside = file.startsWith(workflowsDir);
    if (inside && Files.exists(file)) {
      try {
        inside = file.toRealPath().startsWith(workflowsDir.toRealPath());
      } catch (IOException e) {
        inside = false;
      }
    }
    if (!inside) {
      throw new CommandRefused(Reason.INVALID, "definitionPath must be inside the workflows directory " + workflowsDir, List.of("e.g. workflows/example.yaml"));
    }
    return file;
  }

  private static CommandRefused tooLarge(String path) {
    return new CommandRefused(Reason.INVALID, "definitionPath '" + path + "' is larger than a definition may be ("
        + DefinitionLoader.MAX_CHARACTERS / 1024 + " Ki characters)");
  }
}
