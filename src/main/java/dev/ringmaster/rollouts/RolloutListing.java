package dev.ringmaster.rollouts;

import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * GET /api/rollouts. Uses a visibility query where the server has one; Temporal's Java test server (embedded mode)
 * does not implement ListWorkflowExecutions, so it falls back to the open and closed listings, which ignore type
 * filters there — rollouts are picked out by workflow type here instead.
 */
final class RolloutListing {
  static final int LIMIT = 200;
  private final RolloutGateway gateway;

  RolloutListing(RolloutGateway gateway) {
    this.gateway = gateway;
  }

  List<RolloutStatus.Summary> list(String service, String state) {
    List<RolloutStatus.Summary> items = new ArrayList<>();
    for (WorkflowExecutionInfo info : executions()) {
      if (!info.getType().getName().equals("Rollout")) continue;
      // Reading a status is a query (a replay for a closed rollout): only this service's rollouts are read.
      if (service != null && !info.getExecution().getWorkflowId().startsWith(RolloutRequest.rolloutId(service, ""))) continue;
      Optional<RolloutStatus> s = gateway.find(info.getExecution().getWorkflowId());
      if (s.isEmpty()) continue;
      RolloutStatus r = s.get();
      if (service != null && !service.equals(r.service())) continue;
      if (state != null && !state.toUpperCase(Locale.ROOT).equals(r.state().name())) continue;
      items.add(r.summary());
    }
    items.sort(Comparator.comparing(RolloutStatus.Summary::startedAt).reversed());
    return items;
  }

  private List<WorkflowExecutionInfo> executions() {
    WorkflowClient client = gateway.client();
    String ns = client.getOptions().getNamespace();
    var stub = client.getWorkflowServiceStubs().blockingStub();
    try {
      return stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder().setNamespace(ns)
          .setQuery("WorkflowType = 'Rollout'").setPageSize(LIMIT).build()).getExecutionsList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) throw e;
    }
    Map<String, WorkflowExecutionInfo> byId = new LinkedHashMap<>();
    stub.listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(ns).setMaximumPageSize(LIMIT).build())
        .getExecutionsList().forEach(i -> byId.putIfAbsent(i.getExecution().getWorkflowId(), i));
    stub.listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(ns).setMaximumPageSize(LIMIT).build())
        .getExecutionsList().forEach(i -> byId.putIfAbsent(i.getExecution().getWorkflowId(), i));
    return new ArrayList<>(byId.values());
  }
}
