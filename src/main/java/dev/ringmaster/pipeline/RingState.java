package dev.ringmaster.pipeline;

/** Where one ring stands. Rings move forward through these in order; a rollback marks every touched ring. */
public enum RingState {
  PENDING,
  ENABLING,
  SOAKING,
  AWAITING_APPROVAL,
  DONE,
  ROLLED_BACK
}
