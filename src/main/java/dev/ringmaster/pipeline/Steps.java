package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.AnalysisActivities;
import dev.ringmaster.analysis.AnalysisRequest;
import dev.ringmaster.analysis.ControlBaseline;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.definition.Durations;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Migration;
import dev.ringmaster.definition.RolloutDefinition.Spec;
import dev.ringmaster.deploy.DeployActivities;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.flags.FlagActivities;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagSnapshot;
import dev.ringmaster.flags.FlagTarget;
import dev.ringmaster.migration.MigrationActivities;
import dev.ringmaster.migration.MigrationOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * The rollout's activity calls, each through a stub whose summary says what it does in this rollout ("enable ring
 * canary → 5%"), so the Temporal UI's history reads like the pipeline. Runs in the workflow thread: deterministic.
 */
final class Steps {
  private final RolloutRequest request;
  private final RolloutState st;
  private final Spec spec;
  private final FlagTarget flag;
  private final DeployTarget deployTarget;
  private boolean expandAppliedNothing;
  /** Histories recorded before the flag's prior state was captured replay without the capture (Workflow.getVersion). */
  private int flagStateVersion = NOT_READ;
  private static final int NOT_READ = -2;
  private FlagSnapshot flagBefore;

  Steps(RolloutRequest request, RolloutState st) {
    this.request = request;
    this.st = st;
    this.spec = request.definition().spec();
    var md = request.definition().metadata();
    this.flag = new FlagTarget(spec.flag().connection(), spec.flag().key(), request.rolloutId(), md.owner(), spec.flag().expires());
    this.deployTarget = new DeployTarget(spec.deploy().connection(), request.rolloutId(), md.service(), spec.deploy().target());
  }

  private static <T> T stub(Class<T> type, ActivityOptions options) {
    return Workflow.newActivityStub(type, options);
  }

  private boolean capturesFlagState() {
    if (flagStateVersion == NOT_READ) flagStateVersion = Workflow.getVersion("flag-prior-state", Workflow.DEFAULT_VERSION, 1);
    return flagStateVersion >= 1;
  }

  void preflight() {
    if (capturesFlagState()) {
      FlagSnapshot s = stub(FlagActivities.class, StepPolicies.preflight("pre-flight: flag " + flag.key() + " is not one an earlier rollout released"))
          .captureFlagState(flag, spec.flag().reuse());
      if (s.fullyReleased()) st.note("flag " + flag.key() + " was fully released by " + s.releaser()
          + "; rolled out again because the definition says reuse: true");
    }
    if (spec.analysis() != null) {
      stub(AnalysisActivities.class, StepPolicies.preflight("pre-flight: run every gate query once"))
          .checkGates(AnalysisRequest.once(request.rolloutId(), "preflight", spec.analysis()));
    }
    if (spec.migration() != null) {
      stub(MigrationActivities.class, StepPolicies.preflight("pre-flight: expand scripts are additive"))
          .checkExpandSafety(request.rolloutId(), spec.migration());
    }
  }

  void expand() {
    MigrationOutcome o;
    try {
      o = stub(MigrationActivities.class, StepPolicies.migration("expand " + spec.migration().expand())).expandSchema(request.rolloutId(), spec.migration());
    } catch (ActivityFailure f) {
      expandAppliedNothing = f.getCause() instanceof ApplicationFailure af && MigrationActivities.NOTHING_APPLIED.equals(af.getType());
      throw f;
    }
    st.note("expanded schema: applied " + o.versionsApplied() + " in " + Durations.format(o.took()) + "; " + o.note());
  }

  /** Compensation for expand: the undo scripts, or a record that the (compatible) expanded schema stays. */
  void undoExpand() {
    Migration m = spec.migration();
    if (expandAppliedNothing) {
      st.rollbackSteps.add("no undo needed: the expand could not begin, so it applied nothing");
      return;
    }
    if (m.undo() == null) {
      st.rollbackSteps.add("expanded schema kept: the definition has no undo (the expanded schema is compatible with the previous version)");
      return;
    }
    MigrationOutcome o = stub(MigrationActivities.class, StepPolicies.migration("undo expand " + m.undo())).undoExpand(request.rolloutId(), m);
    st.rollbackSteps.add(o.versionsApplied().isEmpty() ? "UndoExpand: " + o.note()
        : "UndoExpand: applied " + o.versionsApplied() + " in " + Durations.format(o.took()));
  }

  String captureCurrentVersion() {
    return stub(DeployActivities.class, StepPolicies.captureVersion("capture the version running before " + request.version()))
        .captureCurrentVersion(deployTarget);
  }

  void deploy(String previous) {
    DeployOutcome o = stub(DeployActivities.class, StepPolicies.deploy("deploy " + request.version() + " (flag off), replacing " + (previous.isEmpty() ? "nothing" : previous)))
        .deployVersion(deployTarget, previous, request.version());
    st.note("deployed " + o.version() + ", ready in " + Durations.format(o.timeToReady()));
  }

  /** Compensation for deploy: put back the version that ran before, if there was one. */
  void redeployPrevious(String previous) {
    if (previous.isEmpty() || previous.equals(request.version())) {
      st.rollbackSteps.add("no previous version to redeploy (nothing ran before " + request.version() + ")");
      return;
    }
    DeployOutcome o = stub(DeployActivities.class, StepPolicies.deploy("redeploy previous version " + previous
        + (st.previousVersionWhy == null ? "" : " (" + st.previousVersionWhy + ")"))).redeployPrevious(deployTarget, previous);
    st.rollbackSteps.add("RedeployPrevious: " + o.version() + " ready in " + Durations.format(o.timeToReady()));
  }

  /** Right before the first ring: the flag as it is, kept in the history so a rollback can put it back. */
  void captureFlagBefore() {
    if (!capturesFlagState()) return;
    flagBefore = stub(FlagActivities.class, StepPolicies.flagChange("capture flag " + flag.key() + " before its first ring"))
        .captureFlagState(flag, spec.flag().reuse());
    st.flagBefore = flagBefore.summary() + (flagBefore.fullyReleased() ? " (released by " + flagBefore.releaser() + "; reused)" : "");
    st.note("flag " + flag.key() + " before this rollout: " + flagBefore.summary() + " (a rollback puts it back so)");
  }

  /**
   * A local activity (rollouts from this version on): the ring after an approval is enabled in the workflow task
   * that took the approval, with no round trip through the server to schedule it, no wait for an activity poller
   * and no workflow task for its completion. Older histories replay their {@code EnableRing} activities.
   */
  void enableRing(String ring, Audience cumulative) {
    String summary = "enable ring " + ring + " → " + cumulative.describe();
    FlagActivities flags = Workflow.getVersion("enable-ring-local", Workflow.DEFAULT_VERSION, 1) >= 1
        ? Workflow.newLocalActivityStub(FlagActivities.class, StepPolicies.flagChangeLocal(summary))
        : stub(FlagActivities.class, StepPolicies.flagChange(summary));
    FlagChange c = flags.enableRing(flag, ring, cumulative);
    st.note("ring " + ring + " enabled for " + c.audience() + " (" + c.providerRef() + ")");
  }

  /** The flag this rollout rolls out: a soak's watcher pulls its kill switch at a FAILED verdict. */
  FlagTarget flag() {
    return flag;
  }

  /** The kill switch a soak's watcher pulled at its FAILED verdict (from the verdict: replays alike). */
  private FlagChange pulledAtVerdict;

  void killSwitchPulledAtVerdict(FlagChange off) {
    pulledAtVerdict = off;
  }

  /**
   * Compensation for every ring at once: the kill switch first, then the flag goes back to the state captured before
   * the first ring (histories without a capture: the ring rules are removed). After a FAILED verdict the soak's
   * watcher has already pulled the kill switch (the rollback records it); otherwise it is a local activity, run in the
   * workflow task that learned of the rollback.
   */
  void flagOffEverywhere() {
    if (pulledAtVerdict != null) {
      st.rollbackSteps.add("KillSwitch: " + flag.key() + " off for everyone at the FAILED verdict, by the soak's watcher ("
          + pulledAtVerdict.providerRef() + ", provider acknowledged in " + pulledAtVerdict.acknowledgedIn().toMillis() + " ms)");
    } else {
      Instant asked = RolloutState.now();
      String summary = "KILL SWITCH: " + flag.key() + " off for everyone";
      FlagActivities killer = Workflow.getVersion("kill-switch-local", Workflow.DEFAULT_VERSION, 1) >= 1
          ? Workflow.newLocalActivityStub(FlagActivities.class, StepPolicies.killSwitchLocal(summary))
          : stub(FlagActivities.class, StepPolicies.killSwitch(summary));
      FlagChange off = killer.killSwitch(flag);
      st.rollbackSteps.add("KillSwitch: " + flag.key() + " off for everyone (" + off.providerRef() + ", provider acknowledged in "
          + off.acknowledgedIn().toMillis() + " ms, " + Duration.between(asked, RolloutState.now()).toMillis() + " ms after the request)");
    }
    if (flagBefore != null) {
      FlagChange restored = stub(FlagActivities.class, StepPolicies.flagChange("restore flag " + flag.key() + " as it was: " + flagBefore.summary()))
          .restoreFlag(flag, flagBefore);
      st.rollbackSteps.add("RestoreFlag: " + flag.key() + " as it was before this rollout, " + restored.audience() + " (" + restored.providerRef() + ")");
      return;
    }
    FlagChange removed = stub(FlagActivities.class, StepPolicies.flagChange("remove ring rules of " + flag.key())).removeRingRules(flag);
    st.rollbackSteps.add("RemoveRingRules: " + removed.providerRef());
  }

  /** The stub for one soak's background analysis; called with Async so signals can interrupt the soak. */
  AnalysisActivities soakWatcher(String ring, Duration left, Analysis analysis) {
    return stub(AnalysisActivities.class, StepPolicies.watchSoak(left, analysis.interval(),
        "soak ring " + ring + " for " + Durations.format(left) + ", gates every " + Durations.format(analysis.interval())));
  }

  Measurement measureGates(String ring, Analysis analysis, ControlBaseline baseline) {
    return stub(AnalysisActivities.class, StepPolicies.measurement("measure gates once (promotion of ring " + ring + ")"))
        .measureGates(new AnalysisRequest(request.rolloutId(), ring, analysis, null, baseline, null));
  }

  void contract() {
    if (spec.migration() != null && spec.migration().contract() != null) {
      MigrationOutcome o = stub(MigrationActivities.class, StepPolicies.migration("contract " + spec.migration().contract()))
          .contractSchema(request.rolloutId(), spec.migration());
      st.note("contracted schema: applied " + o.versionsApplied() + " in " + Durations.format(o.took()) + "; " + o.note());
    }
    FlagChange c = stub(FlagActivities.class, StepPolicies.flagChange("retire flag " + flag.key())).retireFlag(flag);
    st.note("flag " + c.flagKey() + " retired (" + c.providerRef() + ")");
  }

  /** A failed activity as a person reads it: which step, and the adapter's own message. */
  static String describe(ActivityFailure f) {
    Throwable cause = f.getCause();
    String msg = cause instanceof ApplicationFailure af ? af.getOriginalMessage() : cause == null ? f.getMessage() : cause.getMessage();
    if (msg == null || msg.isBlank()) {
      // Never "X failed: " with nothing after it: at least say what kind of failure it was.
      msg = cause instanceof ApplicationFailure af ? af.getType() + " (without a message)" : "no message (" + f.getClass().getSimpleName() + ")";
    }
    return f.getActivityType() + " failed: " + msg;
  }
}
