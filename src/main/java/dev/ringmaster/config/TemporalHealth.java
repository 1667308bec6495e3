package dev.ringmaster.config;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} is DOWN, with the reason, while Temporal cannot be reached; it turns UP again by itself when
 * Temporal is back (the gRPC channel reconnects, workers resume polling, nothing needs a restart).
 */
@Component("temporal")
class TemporalHealth implements HealthIndicator {
  private final WorkflowServiceStubs stubs;
  private final String target;

  TemporalHealth(WorkflowServiceStubs stubs, @Value("${spring.temporal.connection.target:127.0.0.1:7233}") String target) {
    this.stubs = stubs;
    this.target = target;
  }

  @Override
  public Health health() {
    try {
      stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS).getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return Health.up().withDetail("target", target).build();
    } catch (StatusRuntimeException e) {
      return Health.down().withDetail("target", target)
          .withDetail("reason", "Temporal at " + target + " is unreachable (" + e.getStatus().getCode() + ")").build();
    }
  }
}
