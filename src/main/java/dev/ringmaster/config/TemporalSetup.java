package dev.ringmaster.config;

import dev.ringmaster.pipeline.RolloutSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.spring.boot.WorkerOptionsCustomizer;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class TemporalSetup {
  private static final Logger log = LoggerFactory.getLogger(TemporalSetup.class);

  /**
   * Activity slots of one worker. Every soaking rollout holds one for its whole soak (its heartbeating
   * {@code WatchSoak}), so the SDK's default of 200 would leave the 201st soak, and every kill switch behind it,
   * waiting for a slot: the default here is {@value}, and threads are only made for slots in use (see README,
   * "Worker tuning", and BENCHMARKS.md).
   */
  static final int DEFAULT_MAX_CONCURRENT_ACTIVITIES = 2_000;

  /**
   * Workers keep their workflows cached and ask for each one's next task on a sticky queue, so a task brings only the
   * new events instead of a whole history to replay. A real server hands a workflow whose worker died to another
   * after the sticky schedule-to-start timeout; against the dev server and the in-process server,
   * {@code StickyQueueReaper} does. {@code ringmaster.temporal.sticky-queue-timeout-zero=true} turns stickiness off
   * (every task a replay), for a plain Java test server that does neither.
   */
  @Bean
  WorkerOptionsCustomizer ringmasterWorkerOptions(
      @Value("${ringmaster.temporal.sticky-queue-timeout-zero:false}") boolean stickyZero,
      @Value("${ringmaster.worker.max-concurrent-activities:" + DEFAULT_MAX_CONCURRENT_ACTIVITIES + "}") int maxActivities,
      @Value("${ringmaster.worker.workflow-task-pollers:0}") int workflowPollers,
      @Value("${ringmaster.worker.activity-task-pollers:0}") int activityPollers) {
    return new WorkerOptionsCustomizer() {
      @Override
      public WorkerOptions.Builder customize(WorkerOptions.Builder options, String workerName, String taskQueue) {
        // 0: the SDK's default
        if (workflowPollers > 0) options.setMaxConcurrentWorkflowTaskPollers(workflowPollers);
        if (activityPollers > 0) options.setMaxConcurrentActivityTaskPollers(activityPollers);
        return workerOptions(options, stickyZero, maxActivities);
      }
    };
  }

  static WorkerOptions.Builder workerOptions(WorkerOptions.Builder options, boolean stickyZero, int maxActivities) {
    options.setMaxConcurrentActivityExecutionSize(maxActivities);
    return stickyZero ? options.setStickyQueueScheduleToStartTimeout(Duration.ZERO) : options;
  }

  /** The options a Ringmaster worker runs with by default, for tests and benchmarks that build their own worker. */
  public static WorkerOptions defaultWorkerOptions() {
    return workerOptions(WorkerOptions.newBuilder(), false, DEFAULT_MAX_CONCURRENT_ACTIVITIES).build();
  }

  /** Registers the typed search attributes before workers start (they start on ApplicationReadyEvent). */
  @Bean
  SmartInitializingSingleton registerSearchAttributes(WorkflowServiceStubs stubs,
      @Value("${spring.temporal.namespace:default}") String namespace) {
    return () -> ensureSearchAttributes(stubs, namespace);
  }

  /**
   * Registers the typed search attributes the workflow upserts; idempotent. A real cluster lists what it has first, so
   * only missing attributes are added and one that exists with another type is a clear start-up error; the Java test
   * server does not implement the listing (UNIMPLEMENTED), so each is added and "already there" is fine. Servers
   * say "already there" three ways across versions: ALREADY_EXISTS, INVALID_ARGUMENT "Search attribute X already
   * exists." (older SQL visibility), or success.
   */
  static void ensureSearchAttributes(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> existing = listed(operator, namespace);
      for (var key : RolloutSearchAttributes.ALL) { // every conflict before any change
        IndexedValueType type = existing == null ? null : existing.get(key.getName());
        if (type != null && type != IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD) {
          throw new IllegalStateException("Temporal namespace '" + namespace + "' already has search attribute " + key.getName() + " as " + type
              + "; Ringmaster needs it as Keyword (remove it with: temporal operator search-attribute remove --name " + key.getName() + ")");
        }
      }
      for (var key : RolloutSearchAttributes.ALL) {
        if (existing != null && existing.containsKey(key.getName())) continue;
        try {
          operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder().setNamespace(namespace)
              .putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD).build());
          log.info("Registered search attribute {} (Keyword) in namespace {}", key.getName(), namespace);
        } catch (StatusRuntimeException e) {
          if (!alreadyThere(e)) {
            throw new IllegalStateException("cannot register Ringmaster's search attribute " + key.getName() + " in Temporal namespace '"
                + namespace + "': " + e.getStatus() + ". Register it with: temporal operator search-attribute create --name "
                + key.getName() + " --type Keyword", e);
          }
        }
      }
    } finally {
      operator.shutdown();
    }
  }

  /** The namespace's custom search attributes, or null where the server cannot list them (the Java test server). */
  private static Map<String, IndexedValueType> listed(OperatorServiceStubs operator, String namespace) {
    try {
      return operator.blockingStub().listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
          .getCustomAttributesMap();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) return null;
      throw e;
    }
  }

  static boolean alreadyThere(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    String description = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
    return code == Status.Code.ALREADY_EXISTS || (code == Status.Code.INVALID_ARGUMENT && description.contains("already exists"));
  }
}
