package dev.ringmaster.connection;

/**
 * An adapter error that retrying cannot fix: bad credentials, a missing project, a misconfigured connection, a
 * deploy the platform refused. Activity retry policies list this class as non-retryable, so the rollout fails fast
 * and compensates instead of retrying for minutes. Everything else an adapter throws is retried.
 */
public class PermanentFailure extends RuntimeException {
  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
