package dev.ringmaster.rollouts;

import com.google.protobuf.ByteString;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * GET /api/rollouts, newest first, up to {@link #LIMIT} rollouts (the listings are read page by page). Uses a
 * visibility query where the server has one; Temporal's Java test server (embedded mode) does not implement
 * ListWorkflowExecutions, so it falls back to the open and closed listings, which ignore type filters there —
 * rollouts are picked out by workflow type here instead. A closed rollout's status never changes, so it is read (a
 * query, which replays its history) once and then kept; an open one's is read again only when its history has grown
 * since (the listing gives the length, see RolloutGateway#findListed), so a list costs a query per rollout that moved.
 */
final class RolloutListing {
  static final int LIMIT = 1000;
  private static final int PAGE = 200;
  private static final int CLOSED_CACHE = 10_000;
  private final RolloutGateway gateway;
  /** Statuses of closed runs, by workflow ID and run ID (a run that has closed is immutable). */
  private final Map<String, RolloutStatus> closed = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, RolloutStatus> eldest) {
      return size() > CLOSED_CACHE;
    }
  });

  RolloutListing(RolloutGateway gateway) {
    this.gateway = gateway;
  }

  /**
   * Every rollout's status (up to {@link #LIMIT}, newest first), for Ringmaster's own metrics. Like a list, it reads
   * only what changed: a rollout whose history has not grown since it was last read costs nothing (no describe, no
   * query), so the refresh of a thousand soaking rollouts is one listing. The price: a soaking ring's measurements
   * count once its soak's verdict is in the history (until then they live in the soak's heartbeat, which only a
   * describe reads).
   */
  List<RolloutStatus> statuses() {
    List<RolloutStatus> all = new ArrayList<>();
    for (WorkflowExecutionInfo info : executions()) {
      if (info.getType().getName().equals("Rollout")) status(info).ifPresent(all::add);
    }
    all.sort(Comparator.comparing(RolloutStatus::startedAt).reversed());
    return all.size() > LIMIT ? new ArrayList<>(all.subList(0, LIMIT)) : all;
  }

  List<RolloutStatus.Summary> list(String service, String state) {
    List<RolloutStatus.Summary> items = new ArrayList<>();
    for (WorkflowExecutionInfo info : executions()) {
      if (!info.getType().getName().equals("Rollout")) continue;
      // Reading a status is a query (a replay for a closed rollout): only this service's rollouts are read.
      if (service != null && !info.getExecution().getWorkflowId().startsWith(RolloutRequest.rolloutId(service, ""))) continue;
      Optional<RolloutStatus> s = status(info);
      if (s.isEmpty()) continue;
      RolloutStatus r = s.get();
      if (service != null && !service.equals(r.service())) continue;
      if (state != null && !state.toUpperCase(Locale.ROOT).equals(r.state().name())) continue;
      items.add(r.summary());
    }
    items.sort(Comparator.comparing(RolloutStatus.Summary::startedAt).reversed());
    return items.size() > LIMIT ? new ArrayList<>(items.subList(0, LIMIT)) : items;
  }

  /**
   * A running rollout's status as kept since its history last grew (no live measurements of a soaking ring), a
   * closed one's as kept since it closed.
   *
   * @return empty also for a rollout that cannot be read just now (a worker taking it over has not replayed it yet):
   *     it is left out of this list, not the whole list refused, and shows in the next one
   */
  private Optional<RolloutStatus> status(WorkflowExecutionInfo info) {
    try {
      return read(info);
    } catch (CommandRefused e) {
      if (e.reason() != CommandRefused.Reason.UNAVAILABLE) throw e;
      return Optional.empty();
    }
  }

  private Optional<RolloutStatus> read(WorkflowExecutionInfo info) {
    boolean running = info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        || info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
    String id = info.getExecution().getWorkflowId();
    if (running) return gateway.findListed(id, info.getExecution().getRunId(), info.getHistoryLength());
    String key = id + "/" + info.getExecution().getRunId();
    RolloutStatus cached = closed.get(key);
    if (cached != null) return Optional.of(cached);
    Optional<RolloutStatus> s = gateway.find(id);
    s.filter(r -> r.state().isFinal()).ifPresent(r -> closed.put(key, r));
    return s;
  }

  private List<WorkflowExecutionInfo> executions() {
    WorkflowClient client = gateway.client();
    String ns = client.getOptions().getNamespace();
    WorkflowServiceBlockingStub stub = client.getWorkflowServiceStubs().blockingStub();
    try {
      return pages(token -> {
        ListWorkflowExecutionsResponse r = stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder().setNamespace(ns)
            .setQuery("WorkflowType = 'Rollout'").setPageSize(PAGE).setNextPageToken(token).build());
        return new Page(r.getExecutionsList(), r.getNextPageToken());
      });
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) throw e;
    }
    Map<String, WorkflowExecutionInfo> byId = new LinkedHashMap<>();
    pages(token -> {
      ListOpenWorkflowExecutionsResponse r = stub.listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(ns)
          .setMaximumPageSize(PAGE).setNextPageToken(token).build());
      return new Page(r.getExecutionsList(), r.getNextPageToken());
    }).forEach(i -> byId.putIfAbsent(i.getExecution().getWorkflowId(), i));
    pages(token -> {
      ListClosedWorkflowExecutionsResponse r = stub.listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(ns)
          .setMaximumPageSize(PAGE).setNextPageToken(token).build());
      return new Page(r.getExecutionsList(), r.getNextPageToken());
    }).forEach(i -> byId.putIfAbsent(i.getExecution().getWorkflowId(), i));
    return new ArrayList<>(byId.values());
  }

  private record Page(List<WorkflowExecutionInfo> items, ByteString next) {}

  /** Every page of one listing, up to {@link #LIMIT} executions (domain leases count, so read a little more). */
  private static List<WorkflowExecutionInfo> pages(Function<ByteString, Page> read) {
    List<WorkflowExecutionInfo> all = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    do {
      Page p = read.apply(token);
      all.addAll(p.items());
      token = p.next();
    } while (!token.isEmpty() && all.size() < 2 * LIMIT);
    return all;
  }
}
