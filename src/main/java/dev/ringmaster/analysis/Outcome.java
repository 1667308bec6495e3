package dev.ringmaster.analysis;

/** A measurement's outcome, declared best to worst: when metrics disagree, the worst wins. */
public enum Outcome {
  PASSED,
  INCONCLUSIVE,
  ERROR,
  FAILED;

  public Outcome worst(Outcome other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** FAILED and ERROR count toward {@code failureLimit}: a source that keeps failing is no reason to promote. */
  public boolean countsAsFailure() {
    return this == FAILED || this == ERROR;
  }
}
