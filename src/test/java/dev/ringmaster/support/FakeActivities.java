package dev.ringmaster.support;

import dev.ringmaster.analysis.AnalysisActivities;
import dev.ringmaster.analysis.AnalysisRequest;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.MetricVerdict;
import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakSummary;
import dev.ringmaster.analysis.SoakVerdict;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.deploy.DeployActivities;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.flags.FlagActivities;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagSnapshot;
import dev.ringmaster.flags.FlagTarget;
import dev.ringmaster.migration.MigrationActivities;
import dev.ringmaster.migration.MigrationOutcome;
import dev.ringmaster.definition.RolloutDefinition.Migration;
import dev.ringmaster.notify.Notification;
import dev.ringmaster.notify.NotifyActivities;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/** Test doubles for every activity: they record each call, in order, and can be told to fail or to judge a soak. */
public class FakeActivities implements FlagActivities, DeployActivities, MigrationActivities, NotifyActivities {
  public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  public final List<Notification> notifications = Collections.synchronizedList(new ArrayList<>());
  /** Verdicts WatchSoak returns, in order; PASSED when empty. */
  public final ConcurrentLinkedDeque<Outcome> soakVerdicts = new ConcurrentLinkedDeque<>();
  public final ConcurrentLinkedDeque<Outcome> measurements = new ConcurrentLinkedDeque<>();
  public final AtomicInteger killSwitchFailures = new AtomicInteger();
  public volatile String currentVersion = "1.4.1";
  /** How many WatchSoak calls block like a real soak (until cancelled) instead of answering at once. */
  public final AtomicInteger blockingSoaks = new AtomicInteger();

  private void call(String c) {
    calls.add(c);
  }

  /** Only the calls that change something (flags, deploys, migrations), for order assertions. */
  public List<String> changes() {
    synchronized (calls) {
      return calls.stream().filter(c -> !c.startsWith("CaptureCurrentVersion") && !c.startsWith("CaptureFlagState") && !c.startsWith("WatchSoak")
          && !c.startsWith("MeasureGates") && !c.startsWith("Check")).toList();
    }
  }

  private static FlagChange change(FlagTarget f, String action, String audience) {
    return new FlagChange(f.key(), action, audience, "test-ref", Duration.ofMillis(3));
  }

  /** What CaptureFlagState finds; a flag that does not exist when null. */
  public volatile FlagSnapshot flagBefore;

  @Override
  public FlagSnapshot captureFlagState(FlagTarget flag, boolean reuse) {
    call("CaptureFlagState");
    FlagSnapshot s = flagBefore == null ? FlagSnapshot.absent(flag.key()) : flagBefore;
    if (s.refusal() != null && !reuse) throw new PermanentFailure(s.refusal());
    return s;
  }

  @Override
  public FlagChange restoreFlag(FlagTarget flag, FlagSnapshot prior) {
    call("RestoreFlag " + prior.summary());
    return change(flag, "restore", prior.summary());
  }

  @Override
  public FlagChange enableRing(FlagTarget flag, String ring, Audience cumulative) {
    call("EnableRing " + ring + " " + cumulative.describe());
    return change(flag, "enable " + ring, cumulative.describe());
  }

  @Override
  public FlagChange killSwitch(FlagTarget flag) {
    call("KillSwitch");
    if (killSwitchFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new PermanentFailure("flag provider refused the kill switch: 403 token expired");
    }
    return change(flag, "kill switch", "nobody");
  }

  @Override
  public FlagChange removeRingRules(FlagTarget flag) {
    call("RemoveRingRules");
    return change(flag, "remove rules", "nobody");
  }

  @Override
  public FlagChange retireFlag(FlagTarget flag) {
    call("RetireFlag");
    return change(flag, "retire", "everyone");
  }

  @Override
  public String captureCurrentVersion(DeployTarget target) {
    call("CaptureCurrentVersion");
    return currentVersion;
  }

  @Override
  public DeployOutcome deployVersion(DeployTarget target, String previousVersion, String version) {
    call("DeployVersion " + version);
    return new DeployOutcome(previousVersion, version, Duration.ofSeconds(1), "ok");
  }

  @Override
  public DeployOutcome redeployPrevious(DeployTarget target, String previousVersion) {
    call("RedeployPrevious " + previousVersion);
    return new DeployOutcome(null, previousVersion, Duration.ofSeconds(1), "ok");
  }

  /** Thrown by CheckExpandSafety when set (e.g. an exception without a message). */
  public volatile RuntimeException expandSafetyFailure;

  @Override
  public void checkExpandSafety(String rolloutId, Migration step) {
    call("CheckExpandSafety " + step.expand());
    if (expandSafetyFailure != null) throw expandSafetyFailure;
  }

  @Override
  public MigrationOutcome expandSchema(String rolloutId, Migration step) {
    call("ExpandSchema " + step.expand());
    return new MigrationOutcome(step.expand(), List.of("1"), Duration.ofMillis(5), null);
  }

  @Override
  public MigrationOutcome undoExpand(String rolloutId, Migration step) {
    call("UndoExpand " + step.undo());
    return new MigrationOutcome(step.undo(), List.of("1.1"), Duration.ofMillis(5), null);
  }

  @Override
  public MigrationOutcome contractSchema(String rolloutId, Migration step) {
    call("ContractSchema " + step.contract());
    return new MigrationOutcome(step.contract(), List.of("2"), Duration.ofMillis(5), null);
  }

  @Override
  public String announce(Notification notification, String threadRef) {
    notifications.add(notification);
    return threadRef == null ? "thread-1" : threadRef;
  }

  /** While true, the fake soak pulls the kill switch at its FAILED verdict, as Ringmaster's soak watcher does. */
  public volatile boolean soakPullsKillSwitch;

  /** The analysis doubles, separate so a test can register the real analysis activity instead. */
  public final AnalysisActivities analysis = new FakeAnalysis();

  public static Measurement measurement(Outcome o) {
    return new Measurement(Instant.parse("2026-11-23T00:00:00Z"), o,
        List.of(new MetricVerdict("error-rate", o == Outcome.FAILED ? 0.031 : 0.004, 0.004, 500.0, "canary > control + 0.001", o, null)));
  }

  private final class FakeAnalysis implements AnalysisActivities {
    @Override
    public void checkGates(AnalysisRequest step) {
      call("CheckGates");
    }

    @Override
    public Measurement measureGates(AnalysisRequest step) {
      call("MeasureGates " + step.ring());
      Outcome o = measurements.poll();
      return measurement(o == null ? Outcome.PASSED : o);
    }

    @Override
    public SoakVerdict watchSoak(AnalysisRequest request) {
      call("WatchSoak " + request.ring());
      if (blockingSoaks.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        long until = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < until) {
          io.temporal.activity.Activity.getExecutionContext().heartbeat(null); // throws once the workflow cancels the soak
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      Outcome o = soakVerdicts.poll();
      Outcome outcome = o == null ? Outcome.PASSED : o;
      Measurement m = measurement(outcome);
      SoakVerdict v = new SoakVerdict(outcome, "test verdict " + outcome, m, SoakSummary.EMPTY.with(m));
      return soakPullsKillSwitch ? dev.ringmaster.analysis.AnalysisActivitiesImpl.pullOnFailure(FakeActivities.this::killSwitch, request, v) : v;
    }
  }
}
