package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.AnalysisActivities;
import dev.ringmaster.analysis.AnalysisStep;
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
import dev.ringmaster.flags.FlagTarget;
import dev.ringmaster.migration.MigrationActivities;
import dev.ringmaster.migration.MigrationOutcome;
import dev.ringmaster.migration.MigrationStep;
import dev.ringmaster.notify.Notification;
import dev.ringmaster.notify.NotifyActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
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
  private String threadRef;
  private boolean expandAppliedNothing;
  private final java.util.List<Promise<String>> notifications = new java.util.ArrayList<>();

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

  private MigrationStep migration(String location) {
    Migration m = spec.migration();
    return new MigrationStep(m.connection(), resolve(location), m.undo() == null ? null : resolve(m.undo()),
        m.contract() == null ? null : resolve(m.contract()), request.rolloutId());
  }

  /** A location relative to the definition's directory; {@code classpath:} and absolute paths stay as they are. */
  private String resolve(String location) {
    return location.startsWith("classpath:") || location.startsWith("/") || request.definitionDir() == null
        ? location : request.definitionDir() + "/" + location;
  }

  void preflight() {
    if (spec.analysis() != null) {
      stub(AnalysisActivities.class, StepPolicies.preflight("pre-flight: run every gate query once"))
          .checkGates(new AnalysisStep(request.rolloutId(), "preflight", spec.analysis()));
    }
    if (spec.migration() != null) {
      stub(MigrationActivities.class, StepPolicies.preflight("pre-flight: expand scripts are additive"))
          .checkExpandSafety(migration(spec.migration().expand()));
    }
  }

  void expand() {
    MigrationOutcome o;
    try {
      o = stub(MigrationActivities.class, StepPolicies.migration("expand " + spec.migration().expand())).expandSchema(migration(spec.migration().expand()));
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
    MigrationOutcome o = stub(MigrationActivities.class, StepPolicies.migration("undo expand " + m.undo())).undoExpand(migration(m.undo()));
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
    DeployOutcome o = stub(DeployActivities.class, StepPolicies.deploy("redeploy previous version " + previous)).redeployPrevious(deployTarget, previous);
    st.rollbackSteps.add("RedeployPrevious: " + o.version() + " ready in " + Durations.format(o.timeToReady()));
  }

  void enableRing(String ring, Audience cumulative) {
    FlagChange c = stub(FlagActivities.class, StepPolicies.flagChange("enable ring " + ring + " → " + cumulative.describe()))
        .enableRing(flag, ring, cumulative);
    st.note("ring " + ring + " enabled for " + c.audience() + " (" + c.providerRef() + ")");
  }

  /** Compensation for every ring at once: the kill switch first (fast, one provider call), then the ring rules. */
  void flagOffEverywhere() {
    Instant asked = now();
    FlagChange off = stub(FlagActivities.class, StepPolicies.killSwitch("KILL SWITCH: " + flag.key() + " off for everyone")).killSwitch(flag);
    st.rollbackSteps.add("KillSwitch: " + flag.key() + " off for everyone (" + off.providerRef() + ", provider acknowledged in "
        + off.acknowledgedIn().toMillis() + " ms, " + Duration.between(asked, now()).toMillis() + " ms after the request)");
    FlagChange removed = stub(FlagActivities.class, StepPolicies.flagChange("remove ring rules of " + flag.key())).removeRingRules(flag);
    st.rollbackSteps.add("RemoveRingRules: " + removed.providerRef());
  }

  /** The stub for one soak's background analysis; called with Async so signals can interrupt the soak. */
  AnalysisActivities soakWatcher(String ring, Duration left, Analysis analysis) {
    return stub(AnalysisActivities.class, StepPolicies.watchSoak(left, analysis.interval(),
        "soak ring " + ring + " for " + Durations.format(left) + ", gates every " + Durations.format(analysis.interval())));
  }

  Measurement measureGates(String ring, Analysis analysis) {
    return stub(AnalysisActivities.class, StepPolicies.measurement("measure gates once (promotion of ring " + ring + ")"))
        .measureGates(new AnalysisStep(request.rolloutId(), ring, analysis));
  }

  void contract() {
    if (spec.migration() != null && spec.migration().contract() != null) {
      MigrationOutcome o = stub(MigrationActivities.class, StepPolicies.migration("contract " + spec.migration().contract()))
          .contractSchema(migration(spec.migration().contract()));
      st.note("contracted schema: applied " + o.versionsApplied() + " in " + Durations.format(o.took()) + "; " + o.note());
    }
    FlagChange c = stub(FlagActivities.class, StepPolicies.flagChange("retire flag " + flag.key())).retireFlag(flag);
    st.note("flag " + c.flagKey() + " retired (" + c.providerRef() + ")");
  }

  /** Best effort and asynchronous: a slow or failing notifier never delays the rollout, least of all the kill switch. */
  void notify(Notification.Kind kind, String text) {
    notify(kind, text, java.util.Map.of());
  }

  void notify(Notification.Kind kind, String text, java.util.Map<String, String> details) {
    var md = request.definition().metadata();
    String channel = spec.notifications() == null || spec.notifications().slack() == null ? null : spec.notifications().slack().channel();
    Notification n = new Notification(request.rolloutId(), md.service(), request.version(), kind, text, channel, now(), details);
    NotifyActivities notifier = stub(NotifyActivities.class, StepPolicies.notification("notify " + kind));
    Promise<String> posted = Async.function(notifier::announce, n, threadRef);
    notifications.removeIf(Promise::isCompleted);
    notifications.add(posted);
    // Keep every notifier's thread reference: one that failed on the first message joins in with a later one.
    posted.thenApply(r -> threadRef = mergeRefs(threadRef, r));
  }

  /** The union of two space-separated reference lists, one reference per notifier prefix ({@code slack:}, {@code log:}). */
  static String mergeRefs(String kept, String returned) {
    if (returned == null || returned.isBlank()) return kept;
    if (kept == null || kept.isBlank()) return returned;
    java.util.List<String> refs = new java.util.ArrayList<>(java.util.List.of(kept.split(" ")));
    for (String r : returned.split(" ")) {
      String prefix = r.substring(0, r.indexOf(':') + 1);
      if (refs.stream().noneMatch(k -> k.startsWith(prefix))) refs.add(r);
    }
    return String.join(" ", refs);
  }

  /**
   * Before the workflow completes, give the last notifications a bounded time to finish, so "rolled back" and
   * "succeeded" reach people instead of being dropped with the closed workflow.
   */
  void flushNotifications() {
    Workflow.await(Duration.ofMinutes(2), () -> notifications.stream().allMatch(Promise::isCompleted));
  }

  /** A failed activity as a person reads it: which step, and the adapter's own message. */
  static String describe(ActivityFailure f) {
    Throwable cause = f.getCause();
    String msg = cause instanceof ApplicationFailure af ? af.getOriginalMessage() : cause == null ? f.getMessage() : cause.getMessage();
    return f.getActivityType() + " failed: " + msg;
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
