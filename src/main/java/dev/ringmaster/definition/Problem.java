package dev.ringmaster.definition;

/** One thing wrong with a definition: where ({@code spec.rings[1].audience.percent}), what, and what to do. */
public record Problem(String path, String message, String hint) {

  @Override
  public String toString() {
    return path + ": " + message + (hint == null || hint.isBlank() ? "" : " (hint: " + hint + ")");
  }
}
