package dev.ringmaster.support;

import dev.ringmaster.pipeline.RolloutSearchAttributes;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.testing.TestWorkflowExtension;

/** The time-skipping test environment every workflow test uses: the rollout workflow and its search attributes. */
public final class TemporalTests {
  private TemporalTests() {}

  /** Not started: each test registers its activity doubles first, then calls {@code env.start()}. */
  public static TestWorkflowExtension rolloutExtension() {
    TestWorkflowExtension.Builder b = TestWorkflowExtension.newBuilder()
        .registerWorkflowImplementationTypes(RolloutWorkflowImpl.class)
        .setDoNotStart(true);
    RolloutSearchAttributes.ALL.forEach(k -> b.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    return b.build();
  }
}
