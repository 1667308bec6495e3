package dev.ringmaster.pipeline;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/** Typed search attributes SREs filter on in the Temporal UI. Registered at start-up (see TemporalSetup). */
public final class RolloutSearchAttributes {
  public static final SearchAttributeKey<String> SERVICE = SearchAttributeKey.forKeyword("RolloutService");
  public static final SearchAttributeKey<String> VERSION = SearchAttributeKey.forKeyword("RolloutVersion");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("RolloutPhase");

  public static final List<SearchAttributeKey<String>> ALL = List.of(SERVICE, VERSION, PHASE);

  private RolloutSearchAttributes() {}
}
