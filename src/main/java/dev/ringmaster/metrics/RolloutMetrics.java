package dev.ringmaster.metrics;

import dev.ringmaster.rollouts.RolloutCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Ringmaster's own metrics on {@code /actuator/prometheus}, read from Temporal every {@code ringmaster.metrics.refresh}
 * (15 s) and computed by {@link RolloutFigures}: gauges, not counters, so a restarted Ringmaster reports the same
 * figures. {@code ringmaster_rollouts{phase,state}}, {@code ringmaster_rollbacks{reason}},
 * {@code ringmaster_approvals_awaited}, {@code ringmaster_approvals_oldest_age_seconds},
 * {@code ringmaster_gate_measurements{verdict}}, and per service {@code ringmaster_dora_deployments_per_day},
 * {@code ringmaster_dora_lead_time_seconds}, {@code ringmaster_dora_change_failure_rate},
 * {@code ringmaster_dora_time_to_restore_seconds}, {@code ringmaster_dora_rollouts{state}}. When Temporal cannot be
 * read the last figures stay (health says why).
 */
@Component
class RolloutMetrics implements DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(RolloutMetrics.class);
  private final RolloutCommands commands;
  private final Duration refresh;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ringmaster-metrics");
    t.setDaemon(true);
    return t;
  });
  private final MultiGauge rollouts, rollbacks, measurements, deploymentsPerDay, leadTime, changeFailureRate, timeToRestore, doraRollouts;
  private volatile RolloutFigures figures = RolloutFigures.of(List.of(), Instant.EPOCH);

  RolloutMetrics(RolloutCommands commands, MeterRegistry registry, @Value("${ringmaster.metrics.refresh:15s}") Duration refresh) {
    this.commands = commands;
    this.refresh = refresh;
    rollouts = MultiGauge.builder("ringmaster.rollouts").description("Rollouts by phase and state, as Temporal has them").register(registry);
    rollbacks = MultiGauge.builder("ringmaster.rollbacks").description("Rolled-back rollouts by reason: gate, rejection, approval_timeout, abort, error")
        .register(registry);
    measurements = MultiGauge.builder("ringmaster.gate.measurements").description("Gate measurements by verdict, over every ring whose soak has ended")
        .register(registry);
    deploymentsPerDay = MultiGauge.builder("ringmaster.dora.deployments.per.day").description("DORA deployment frequency: SUCCEEDED rollouts per day over the last 7 days")
        .register(registry);
    leadTime = MultiGauge.builder("ringmaster.dora.lead.time").baseUnit("seconds").description("DORA lead time: mean trigger to SUCCEEDED").register(registry);
    changeFailureRate = MultiGauge.builder("ringmaster.dora.change.failure.rate").description("DORA change failure rate: rolled back / finished")
        .register(registry);
    timeToRestore = MultiGauge.builder("ringmaster.dora.time.to.restore").baseUnit("seconds").description("DORA time to restore: mean rollback start to ROLLED_BACK")
        .register(registry);
    doraRollouts = MultiGauge.builder("ringmaster.dora.rollouts").description("Finished rollouts per service and end state").register(registry);
    registry.gauge("ringmaster.approvals.awaited", this, m -> m.figures.approvalsAwaited());
    io.micrometer.core.instrument.Gauge.builder("ringmaster.approvals.oldest.age", this, m -> m.figures.oldestApprovalSeconds()).baseUnit("seconds")
        .description("Age of the oldest approval being awaited").register(registry);
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    timer.scheduleWithFixedDelay(this::refreshNow, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads every rollout's status and publishes the figures; the last ones stay when Temporal cannot be read. */
  void refreshNow() {
    try {
      publish(RolloutFigures.of(commands.statuses(), Instant.now()));
    } catch (RuntimeException e) {
      log.debug("metrics: could not read the rollouts from Temporal ({}); keeping the last figures", e.toString());
    }
  }

  /**
   * Each row reads its value from the latest figures when scraped, so a refresh only adds the rows that are new and
   * removes those that are gone ({@code overwrite} false). Re-registering every row on every refresh (as before) left
   * a moment in which a scrape found a row missing, and churned 6 meters per service through the registry every 15 s.
   */
  void publish(RolloutFigures f) {
    figures = f;
    rollouts.register(counts(f, RolloutFigures::byPhaseAndState, k -> {
      String[] ps = k.split("/");
      return Tags.of("phase", ps[0], "state", ps[1]);
    }), false);
    rollbacks.register(counts(f, RolloutFigures::rollbacks, reason -> Tags.of("reason", reason.label())), false);
    measurements.register(counts(f, RolloutFigures::measurements, verdict -> Tags.of("verdict", verdict.name())), false);
    deploymentsPerDay.register(perService(f, RolloutFigures.Dora::deploymentsPerDay), false);
    leadTime.register(perService(f, RolloutFigures.Dora::leadTimeSeconds), false);
    changeFailureRate.register(perService(f, RolloutFigures.Dora::changeFailureRate), false);
    timeToRestore.register(perService(f, RolloutFigures.Dora::timeToRestoreSeconds), false);
    List<MultiGauge.Row<?>> ends = new ArrayList<>();
    f.dora().keySet().forEach(service -> {
      ends.add(row(Tags.of("service", service, "state", "succeeded"), now -> dora(now, service, RolloutFigures.Dora::succeeded)));
      ends.add(row(Tags.of("service", service, "state", "rolled_back"), now -> dora(now, service, RolloutFigures.Dora::rolledBack)));
    });
    doraRollouts.register(ends, false);
  }

  private MultiGauge.Row<RolloutMetrics> row(Tags tags, ToDoubleFunction<RolloutFigures> value) {
    return MultiGauge.Row.of(tags, this, m -> value.applyAsDouble(m.figures));
  }

  /** A row per key of one of the figures' counts, reading that key's count from the latest figures (0 once it is gone). */
  private <K> List<MultiGauge.Row<?>> counts(RolloutFigures f, Function<RolloutFigures, Map<K, Long>> counts, Function<K, Tags> tags) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (K key : counts.apply(f).keySet()) rows.add(row(tags.apply(key), now -> counts.apply(now).getOrDefault(key, 0L)));
    return rows;
  }

  private static double dora(RolloutFigures f, String service, ToDoubleFunction<RolloutFigures.Dora> figure) {
    RolloutFigures.Dora d = f.dora().get(service);
    return d == null ? Double.NaN : figure.applyAsDouble(d);
  }

  private List<MultiGauge.Row<?>> perService(RolloutFigures f, ToDoubleFunction<RolloutFigures.Dora> figure) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    f.dora().keySet().forEach(service -> rows.add(row(Tags.of("service", service), now -> dora(now, service, figure))));
    return rows;
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
