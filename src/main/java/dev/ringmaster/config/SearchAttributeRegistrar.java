package dev.ringmaster.config;

import io.temporal.serviceclient.WorkflowServiceStubs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Registers the rollout search attributes before a rollout starts. A dev server that was restarted comes back empty,
 * without them; registering again (idempotent, a few milliseconds) lets Ringmaster carry on without a restart.
 */
@Component
public class SearchAttributeRegistrar {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistrar.class);
  private final WorkflowServiceStubs stubs;
  private final String namespace;

  SearchAttributeRegistrar(WorkflowServiceStubs stubs, @Value("${spring.temporal.namespace:default}") String namespace) {
    this.stubs = stubs;
    this.namespace = namespace;
  }

  /** Best effort: a cluster that refuses the operator call (permissions) already has them from start-up. */
  public void ensure() {
    try {
      TemporalSetup.ensureSearchAttributes(stubs, namespace);
    } catch (RuntimeException e) {
      log.warn("could not (re-)register the rollout search attributes before a start: {}", e.getMessage());
    }
  }
}
