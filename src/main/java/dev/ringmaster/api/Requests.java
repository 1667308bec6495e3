package dev.ringmaster.api;

import dev.ringmaster.pipeline.State;
import dev.ringmaster.rollouts.StartRequest;

/** REST request and response bodies. */
final class Requests {
  private Requests() {}

  /** POST /api/rollouts: the definition inline or a path under the workflows directory. */
  record Start(String definition, String definitionPath, String version, String commit, String triggeredBy, String ciRunUrl) {
    StartRequest request() {
      return new StartRequest(definition, definitionPath, version, commit, ciRunUrl);
    }
  }

  /** approve/reject/abort/pause/resume/promote/retry. {@code gate} optionally names what is being approved. */
  record Action(String by, String comment, String reason, String gate) {
    static Action orEmpty(Action a) {
      return a == null ? new Action(null, null, null, null) : a;
    }

    String text() {
      return comment != null ? comment : reason;
    }
  }

  record Started(String id, String statusUrl, State state) {}
}
