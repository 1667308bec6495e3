package dev.ringmaster.pipeline;

/** Leaves the forward path for the rollback (a failed gate, a rejection, a timeout, an abort); caught in the workflow's run. */
final class RollbackRequested extends RuntimeException {
  RollbackRequested(String reason) {
    super(reason, null, false, false);
  }
}
