package dev.ringmaster.config;

import io.temporal.serviceclient.WorkflowServiceStubs;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Registers the rollout search attributes before a rollout starts. A dev server that was restarted comes back empty,
 * without them; registering again (idempotent, a few milliseconds) lets Ringmaster carry on without a restart.
 */
@Component
public class SearchAttributeRegistrar {
  private final WorkflowServiceStubs stubs;
  private final String namespace;

  SearchAttributeRegistrar(WorkflowServiceStubs stubs, @Value("${spring.temporal.namespace:default}") String namespace) {
    this.stubs = stubs;
    this.namespace = namespace;
  }

  public void ensure() {
    TemporalSetup.ensureSearchAttributes(stubs, namespace);
  }
}
