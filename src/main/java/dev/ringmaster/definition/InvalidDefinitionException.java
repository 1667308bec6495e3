package dev.ringmaster.definition;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a definition, reported together so a team fixes them in one go. */
public class InvalidDefinitionException extends RuntimeException {
  private final List<Problem> problems;

  public InvalidDefinitionException(List<Problem> problems) {
    super(
        "invalid rollout definition: "
            + problems.size()
            + " problem(s)\n  "
            + problems.stream().map(Problem::toString).collect(Collectors.joining("\n  ")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
