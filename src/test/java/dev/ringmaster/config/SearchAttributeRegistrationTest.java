package dev.ringmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.AddSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Search attributes on a real cluster's operator API (no Temporal cluster can run here: a local gRPC server speaks
 * Temporal's OperatorService as the server does, in its three ways of saying "already there": ALREADY_EXISTS, the
 * INVALID_ARGUMENT "Search attribute X already exists." of older SQL-visibility versions, or listing it). Start-up
 * registers what is missing, is idempotent across restarts, refuses an attribute of the wrong type with the command
 * that fixes it; against the Java test server (no listing) every app test proves the other path.
 */
class SearchAttributeRegistrationTest {
  /** A cluster's operator service: the namespace's custom attributes, how duplicates are answered, calls made. */
  static final class FakeOperator extends OperatorServiceGrpc.OperatorServiceImplBase {
    final Map<String, IndexedValueType> attributes = new ConcurrentHashMap<>();
    final List<String> added = new ArrayList<>();
    boolean listing = true;
    Status duplicate = Status.ALREADY_EXISTS;

    @Override
    public void listSearchAttributes(ListSearchAttributesRequest request, StreamObserver<ListSearchAttributesResponse> out) {
      if (!listing) {
        out.onError(Status.UNIMPLEMENTED.withDescription("Method not found").asRuntimeException());
        return;
      }
      out.onNext(ListSearchAttributesResponse.newBuilder().putAllCustomAttributes(attributes).build());
      out.onCompleted();
    }

    @Override
    public void addSearchAttributes(AddSearchAttributesRequest request, StreamObserver<AddSearchAttributesResponse> out) {
      for (var e : request.getSearchAttributesMap().entrySet()) {
        if (attributes.containsKey(e.getKey())) {
          out.onError(duplicate.withDescription("Search attribute " + e.getKey() + " already exists.").asRuntimeException());
          return;
        }
      }
      request.getSearchAttributesMap().forEach((k, v) -> {
        attributes.put(k, v);
        added.add(k);
      });
      out.onNext(AddSearchAttributesResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  interface Body {
    void run(FakeOperator operator, WorkflowServiceStubs stubs) throws Exception;
  }

  static void withCluster(Body body) throws Exception {
    FakeOperator operator = new FakeOperator();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(operator).build().start();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + server.getPort()).build());
    try {
      body.run(operator, stubs);
    } finally {
      stubs.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void aRealClusterGetsTheMissingAttributesOnceAndARestartAddsNothing() throws Exception {
    withCluster((operator, stubs) -> {
      operator.attributes.put("RolloutService", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD); // an earlier start registered one
      operator.duplicate = Status.INVALID_ARGUMENT; // and this version refuses duplicates as invalid
      TemporalSetup.ensureSearchAttributes(stubs, "default");
      assertThat(operator.added).containsExactly("RolloutVersion", "RolloutPhase");
      TemporalSetup.ensureSearchAttributes(stubs, "default");
      assertThat(operator.added).as("a restart adds nothing").hasSize(2);
      assertThat(operator.attributes).containsOnlyKeys("RolloutService", "RolloutVersion", "RolloutPhase")
          .allSatisfy((k, v) -> assertThat(v).isEqualTo(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    });
  }

  @Test
  void withoutListingDuplicatesAnsweredEitherWayAreFine() throws Exception {
    for (Status duplicate : List.of(Status.ALREADY_EXISTS, Status.INVALID_ARGUMENT)) {
      withCluster((operator, stubs) -> {
        operator.listing = false;
        operator.duplicate = duplicate;
        TemporalSetup.ensureSearchAttributes(stubs, "default");
        TemporalSetup.ensureSearchAttributes(stubs, "default");
        assertThat(operator.added).containsExactly("RolloutService", "RolloutVersion", "RolloutPhase");
      });
    }
  }

  @Test
  void anAttributeOfAnotherTypeIsAClearStartUpErrorAndNothingIsAdded() throws Exception {
    withCluster((operator, stubs) -> {
      operator.attributes.put("RolloutPhase", IndexedValueType.INDEXED_VALUE_TYPE_TEXT);
      assertThatThrownBy(() -> TemporalSetup.ensureSearchAttributes(stubs, "default")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already has search attribute RolloutPhase as INDEXED_VALUE_TYPE_TEXT")
          .hasMessageContaining("temporal operator search-attribute remove --name RolloutPhase");
      assertThat(operator.added).isEmpty();
    });
  }

  @Test
  void anyOtherRefusalNamesTheCommandThatRegistersIt() throws Exception {
    withCluster((operator, stubs) -> {
      operator.listing = false;
      operator.attributes.put("RolloutService", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      operator.duplicate = Status.PERMISSION_DENIED;
      assertThatThrownBy(() -> TemporalSetup.ensureSearchAttributes(stubs, "default")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("PERMISSION_DENIED").hasMessageContaining("temporal operator search-attribute create --name RolloutService --type Keyword");
    });
  }
}
