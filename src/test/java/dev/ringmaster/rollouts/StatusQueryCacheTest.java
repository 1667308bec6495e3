package dev.ringmaster.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.pipeline.Decision;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutSearchAttributes;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowClientInterceptorBase;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A status query costs a workflow task (a replay without a sticky cache): the gateway asks again only when the
 * rollout's history has grown since it last asked, so a thousand rollouts soaking are listed without a thousand replays.
 */
class StatusQueryCacheTest {
  final AtomicInteger queries = new AtomicInteger();
  /** DescribeWorkflowExecution calls from the gateway's client, counted at the gRPC channel. */
  final AtomicInteger describes = new AtomicInteger();
  TestWorkflowEnvironment env;

  @AfterEach
  void close() {
    if (env != null) env.close();
  }

  /** Until the history stops growing (notifications are activities that finish in their own time). */
  static void settled(RolloutGateway gateway, String id) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
      long before = gateway.describe(id).orElseThrow().getWorkflowExecutionInfo().getHistoryLength();
      Thread.sleep(500);
      return gateway.describe(id).orElseThrow().getWorkflowExecutionInfo().getHistoryLength() == before;
    });
  }

  /** Runs before every query the gateway's client sends: counts it, or fails it. */
  volatile Consumer<WorkflowClientCallsInterceptor.QueryInput<?>> beforeQuery = q -> {};

  record Awaiting(RolloutRequest req, RolloutWorkflow wf, RolloutGateway gateway) {}

  /** A rollout of {@code version} awaiting its canary approval, its history settled, and a gateway over it. */
  Awaiting awaitingApproval(String version) {
    WorkflowClientInterceptorBase hooked = new WorkflowClientInterceptorBase() {
      @Override
      public WorkflowClientCallsInterceptor workflowClientCallsInterceptor(WorkflowClientCallsInterceptor next) {
        return new WorkflowClientCallsInterceptorBase(next) {
          @Override
          public <R> QueryOutput<R> query(QueryInput<R> input) {
            beforeQuery.accept(input);
            return super.query(input);
          }
        };
      }
    };
    ClientInterceptor countDescribes = new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        if (method.getFullMethodName().endsWith("/DescribeWorkflowExecution")) describes.incrementAndGet();
        return next.newCall(method, options);
      }
    };
    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkflowServiceStubsOptions(WorkflowServiceStubsOptions.newBuilder().setGrpcClientInterceptors(List.of(countDescribes)).build())
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setInterceptors(hooked).build()).build());
    RolloutSearchAttributes.ALL.forEach(k -> env.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    Worker worker = env.newWorker("cache");
    worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
    worker.registerActivitiesImplementations(new FakeActivities());
    env.start();
    RolloutRequest req = TestDefinitions.request(TestDefinitions.threeRings(TestDefinitions.APPROVAL), version, "dave");
    RolloutWorkflow wf = TestRollouts.start(env.getWorkflowClient(), worker, req);
    TestRollouts.awaitStatus(env, wf, s -> s.awaiting() != null, "the canary approval");
    RolloutGateway gateway = new RolloutGateway(env.getWorkflowClient(), null);
    settled(gateway, req.rolloutId());
    return new Awaiting(req, wf, gateway);
  }

  @Test
  void theStatusIsQueriedAgainOnlyWhenTheHistoryHasGrown() {
    beforeQuery = q -> queries.incrementAndGet();
    Awaiting a = awaitingApproval("3.0.0");
    RolloutRequest req = a.req();
    RolloutWorkflow wf = a.wf();
    RolloutGateway gateway = a.gateway();

    queries.set(0);
    RolloutStatus first = gateway.find(req.rolloutId()).orElseThrow();
    RolloutStatus again = gateway.find(req.rolloutId()).orElseThrow();
    assertThat(again).isEqualTo(first);
    assertThat(queries.get()).as("the second read found the history unchanged").isEqualTo(1);

    wf.approve(Decision.of("alice", "fine", "rest"));
    // settled: the next ring soaks on a timer (and nothing else happens until it fires)
    TestRollouts.awaitStatus(env, wf, s -> "everyone".equals(s.currentRingName()) && s.phase() == dev.ringmaster.pipeline.Phase.SOAKING, "ring everyone soaking");
    settled(gateway, req.rolloutId());
    queries.set(1);
    RolloutStatus after = gateway.find(req.rolloutId()).orElseThrow();
    assertThat(queries.get()).as("the approval grew the history: asked again").isEqualTo(2);
    assertThat(after.approvals()).hasSize(1);
    assertThat(after.awaiting()).isNull();

    // A list knows the run and history length from the server's listing: nothing is asked when they match.
    var info = gateway.describe(req.rolloutId()).orElseThrow().getWorkflowExecutionInfo();
    queries.set(0);
    assertThat(gateway.findListed(req.rolloutId(), info.getExecution().getRunId(), info.getHistoryLength())).isPresent();
    assertThat(queries.get()).isZero();
    // A listing that disagrees with the kept answer falls back to find: its describe finds the answer still good.
    assertThat(gateway.findListed(req.rolloutId(), info.getExecution().getRunId(), info.getHistoryLength() + 1)).isPresent();
    assertThat(queries.get()).isZero();
    assertThat(gateway.findListed(req.rolloutId(), "another-run", info.getHistoryLength())).isPresent();
    assertThat(queries.get()).isZero();
  }

  /**
   * Ringmaster's metrics refresh reads every rollout every 15 s: one listing, and for a rollout whose history has not
   * grown since, nothing more (with a thousand soaking, a describe each was a thousand calls per refresh).
   */
  @Test
  void theMetricsRefreshReadsOnlyTheRolloutsWhoseHistoryHasGrown() {
    beforeQuery = q -> queries.incrementAndGet();
    Awaiting a = awaitingApproval("3.1.0");
    RolloutListing listing = new RolloutListing(a.gateway());

    List<RolloutStatus> first = listing.statuses();
    assertThat(first).singleElement().satisfies(s -> assertThat(s.awaiting()).isNotNull());
    queries.set(0);
    describes.set(0);
    List<RolloutStatus> again = listing.statuses();
    assertThat(again).isEqualTo(first);
    assertThat(describes.get()).as("describes of an unchanged rollout").isZero();
    assertThat(queries.get()).as("queries of an unchanged rollout").isZero();

    a.wf().approve(Decision.of("alice", "fine", "rest"));
    TestRollouts.awaitStatus(env, a.wf(), s -> "everyone".equals(s.currentRingName()) && s.phase() == dev.ringmaster.pipeline.Phase.SOAKING,
        "ring everyone soaking");
    settled(a.gateway(), a.req().rolloutId());
    queries.set(0);
    List<RolloutStatus> after = listing.statuses();
    assertThat(queries.get()).as("the approval grew the history: read again").isEqualTo(1);
    assertThat(after).singleElement().satisfies(s -> {
      assertThat(s.awaiting()).isNull();
      assertThat(s.approvals()).hasSize(1);
    });
  }

  /**
   * An approval of a rollout whose status this process has read goes out as the Update alone: the rollout's service,
   * all the caller's scope needs, never changes. A rollout that ended since is still refused with what became of it.
   */
  @Test
  void anApprovalOfARolloutReadBeforeIsTheUpdateAloneWithNoDescribe() {
    Awaiting a = awaitingApproval("3.2.0");
    String id = a.req().rolloutId();
    RolloutCommands commands = new RolloutCommands(a.gateway(), null);
    Caller ci = new Caller("ci", "rest", List.of(), java.util.EnumSet.of(Role.APPROVE, Role.READ), List.of(a.req().definition().metadata().service()));
    Caller elsewhere = new Caller("other-team", "rest", List.of(), java.util.EnumSet.of(Role.APPROVE, Role.READ), List.of("other-svc"));
    commands.status(id, ci);

    describes.set(0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> commands.approve(id, elsewhere, "not mine", null))
        .isInstanceOfSatisfying(CommandRefused.class, e -> assertThat(e.reason()).isEqualTo(CommandRefused.Reason.FORBIDDEN));
    assertThat(a.gateway().status(id).approvals()).as("a caller outside the service's scope counts nothing").isEmpty();
    describes.set(0);
    assertThat(commands.approve(id, new Caller("alice", "rest", List.of(), java.util.EnumSet.of(Role.APPROVE), List.of()), "fine", null).decision())
        .isEqualTo("APPROVED");
    assertThat(describes.get()).as("describes for an approval of a rollout read before").isZero();

    a.wf().abort(new dev.ringmaster.pipeline.OperatorAction("sre", "rest", "enough"));
    TestRollouts.awaitStatus(env, a.wf(), s -> s.state().isFinal(), "rolled back");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> commands.approve(id, ci, "too late", null))
        .isInstanceOfSatisfying(CommandRefused.class, e -> {
          assertThat(e.reason()).isEqualTo(CommandRefused.Reason.CONFLICT);
          assertThat(e.getMessage()).isEqualTo(id + " already ended ROLLED_BACK; nothing awaits approval");
        });
  }

  /**
   * A status query no worker answers (here the client's query call fails as it does when the answering worker was
   * replaced a moment ago) is "ask again", not "no such rollout": a 404 would make a caller drop an approval.
   */
  @Test
  void aRolloutWhoseStatusCannotBeReadJustNowIsUnavailableNotNotFound() {
    java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
    beforeQuery = q -> {
      if (failing.get()) {
        throw new io.temporal.client.WorkflowQueryException(q.getWorkflowExecution(), "Rollout",
            new IllegalStateException("the worker that held it is gone; ask again"));
      }
    };
    Awaiting a = awaitingApproval("3.1.0");
    RolloutRequest req = a.req();
    RolloutGateway gateway = a.gateway();

    failing.set(true);
    long history = gateway.describe(req.rolloutId()).orElseThrow().getWorkflowExecutionInfo().getHistoryLength();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway.findListed(req.rolloutId(), "another-run", history))
        .isInstanceOfSatisfying(CommandRefused.class, e -> {
          assertThat(e.reason()).isEqualTo(CommandRefused.Reason.UNAVAILABLE);
          assertThat(e.getMessage()).contains(req.rolloutId()).contains("ask again");
        });
    assertThat(gateway.find("rollout-no-such-service-1.0.0")).as("one that does not exist is still not found").isEmpty();
    RolloutListing listing = new RolloutListing(gateway);
    assertThat(listing.list(null, null)).as("left out of a list, not the list refused").isEmpty();

    failing.set(false);
    assertThat(gateway.find(req.rolloutId())).isPresent();
    assertThat(listing.list(null, null)).hasSize(1);
  }
}
