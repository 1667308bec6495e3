package dev.ringmaster.rollouts;

import dev.ringmaster.definition.DefinitionLoader;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a started rollout's definition comes from: inline YAML, or a file inside the workflows directory. Relative
 * migration locations are resolved here, once, against the definition's directory (the workflows directory for an
 * inline definition), so the workflow only ever sees absolute or {@code classpath:} locations.
 */
final class DefinitionSource {
  private final DefinitionLoader loader;
  private final Path workflowsDir;

  DefinitionSource(DefinitionLoader loader, Path workflowsDir) {
    this.loader = loader;
    this.workflowsDir = workflowsDir.toAbsolutePath().normalize();
  }

  RolloutDefinition load(StartRequest body) {
    boolean inline = body.definition() != null && !body.definition().isBlank();
    boolean byPath = body.definitionPath() != null && !body.definitionPath().isBlank();
    if (inline == byPath) {
      throw new CommandRefused(Reason.INVALID, "send exactly one of 'definition' (the YAML) or 'definitionPath'",
          List.of("e.g. {\"definitionPath\": \"workflows/example.yaml\", \"version\": \"1.4.2\"}"));
    }
    if (inline) return loader.load(body.definition()).withMigrationLocationsIn(workflowsDir.toString());
    Path root = workflowsDir.getParent() == null ? workflowsDir : workflowsDir.getParent();
    Path file = root.resolve(body.definitionPath()).toAbsolutePath().normalize();
    if (!file.startsWith(workflowsDir)) {
      throw new CommandRefused(Reason.INVALID, "definitionPath must be inside the workflows directory " + workflowsDir,
          List.of("e.g. workflows/example.yaml"));
    }
    try {
      return loader.load(Files.readString(file, StandardCharsets.UTF_8)).withMigrationLocationsIn(file.getParent().toString());
    } catch (NoSuchFileException e) {
      throw new CommandRefused(Reason.INVALID, "definitionPath '" + body.definitionPath() + "' does not exist");
    } catch (IOException e) {
      throw new CommandRefused(Reason.INVALID, "cannot read definitionPath '" + body.definitionPath() + "': " + e.getMessage());
    }
  }
}
