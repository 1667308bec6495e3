package dev.ringmaster;

/** The task queue every Ringmaster worker polls; rollout workflows and all their activities run on it. */
public final class TaskQueues {
  public static final String ROLLOUTS = "ringmaster";

  private TaskQueues() {}
}
