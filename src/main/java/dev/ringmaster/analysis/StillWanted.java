package dev.ringmaster.analysis;

import io.temporal.activity.Activity;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityCompletionClient;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityCompletionFailureException;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a soak's FAILED verdict pulls the kill switch, one heartbeat straight to the server: has the workflow
 * cancelled this soak (a pause, a promotion, an abort)? The SDK sends heartbeats at most every 8 s (0.8 × WatchSoak's
 * heartbeat timeout) and hears of a cancellation only in their answers, so without asking, a soak cancelled seconds
 * ago could turn the flag off under a rollout that has moved on: a paused ring, a promoted one, the next ring already
 * enabled. Cancelled (or the attempt gone: timed out, reset, paused): the soak ends here, the flag left as the workflow
 * has it (an abort's rollback turns it off itself). No answer within {@link #WAIT} (the server down or swamped): the
 * kill switch is pulled anyway, as a failing version calls for. What remains: a cancellation in the milliseconds
 * between the answer and the pull.
 */
public final class StillWanted {
  private static final Logger log = LoggerFactory.getLogger(StillWanted.class);
  /** How long a FAILED soak waits for the answer before pulling the kill switch anyway. */
  static final Duration WAIT = Duration.ofSeconds(2);
  private static final ExecutorService ASKING = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "soak-still-wanted");
    t.setDaemon(true);
    return t;
  });

  private final ActivityCompletionClient server;

  /** @param client the client of the server the soaks run on */
  public StillWanted(WorkflowClient client) {
    this.server = client.newActivityCompletionClient();
  }

  /**
   * Asks, from inside the soak's activity, whether it is still wanted. Returns when it is, or when the server cannot
   * say; throws the SDK's {@link ActivityCompletionException} (an {@link ActivityCanceledException} for a cancelled
   * soak, which the SDK reports as the activity's cancellation) when it is not.
   *
   * @param soak the soak, for the log ("rollout-… ring canary")
   * @param heartbeat the soak's last heartbeat details: the question carries them, so a retry resumes where it stood
   */
  public void confirm(String soak, Object heartbeat) {
    byte[] taskToken = Activity.getExecutionContext().getTaskToken();
    RuntimeException unanswered;
    try {
      ask(taskToken, heartbeat);
      return;
    } catch (ActivityCompletionException e) {
      // the SDK (1.38) wraps the server's answer (cancelled, reset, paused) in an ActivityCompletionFailureException
      ActivityCompletionException answer = e instanceof ActivityCompletionFailureException && e.getCause() instanceof ActivityCompletionException a ? a : e;
      if (!(answer instanceof ActivityCompletionFailureException)) {
        log.info("{}: the soak reached a FAILED verdict after the workflow had let it go ({}): the flag is left as the workflow has it", soak,
            answer instanceof ActivityCanceledException ? "cancelled" : answer.getClass().getSimpleName());
        throw answer;
      }
      unanswered = e;
    } catch (RuntimeException e) {
      unanswered = e;
    }
    Throwable why = unanswered.getCause() != null ? unanswered.getCause() : unanswered;
    log.warn("{}: could not ask the server whether the soak is still wanted ({}); the kill switch is pulled at its FAILED verdict anyway", soak,
        why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage());
  }

  /** The heartbeat, waited for at most {@link #WAIT}: a server slow to answer must not hold the kill switch back long. */
  private void ask(byte[] taskToken, Object heartbeat) {
    CompletableFuture<Void> asked = CompletableFuture.runAsync(() -> server.heartbeat(taskToken, heartbeat), ASKING);
    try {
      asked.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      asked.cancel(true);
      throw new IllegalStateException("no answer within " + WAIT.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the server", e);
    }
  }
}
