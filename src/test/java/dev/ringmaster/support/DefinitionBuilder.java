package dev.ringmaster.support;

import java.util.ArrayList;
import java.util.List;

/**
 * Rollout definitions for tests, written as the YAML a team would write (so the real loader and validator read them):
 * {@code DefinitionBuilder.checkout().analysis(...).ring("canary", "{ percent: 5 }", "2m").yaml()}. Defaults: service
 * {@code checkout} in domain {@code payments}, flag {@code new-checkout-flow} (or {@link #flag}) on {@code flags}, deploys on
 * {@code deploy}.
 */
public final class DefinitionBuilder {
  private String service = "checkout";
  private String domain = "payments";
  private String flag = "new-checkout-flow";
  private String migration;
  private String analysis;
  private String contract;
  private String notify;
  private final List<String> rings = new ArrayList<>();

  private DefinitionBuilder() {}

  public static DefinitionBuilder checkout() {
    return new DefinitionBuilder();
  }

  public DefinitionBuilder service(String name, String inDomain) {
    this.service = name;
    this.domain = inDomain;
    return this;
  }

  /** {@code spec.migration}, one line per location; {@code undo} may be null. */
  public DefinitionBuilder migration(String connection, String expand, String contract, String undo) {
    this.migration = "  migration:\n    connection: " + connection + "\n    expand: " + expand + "\n    contract: " + contract + "\n"
        + (undo == null ? "" : "    undo: " + undo + "\n");
    return this;
  }

  /** {@code spec.analysis} with these settings; {@code metrics} is the YAML list of metrics ({@code - name: ...}). */
  public DefinitionBuilder analysis(String connection, String interval, int failureLimit, int inconclusiveLimit, int minSamples, String metrics) {
    this.analysis = "  analysis:\n    connection: " + connection + "\n    interval: " + interval + "\n    failureLimit: " + failureLimit
        + "\n    inconclusiveLimit: " + inconclusiveLimit + "\n    minSamples: " + minSamples + "\n    metrics:\n" + metrics.stripIndent().strip().indent(6);
    return this;
  }

  /** {@code spec.analysis.tripwires} (after {@link #analysis}): the YAML list of tripwires ({@code - name: ...}). */
  public DefinitionBuilder tripwires(String tripwires) {
    this.analysis = analysis + "    tripwires:\n" + tripwires.stripIndent().strip().indent(6);
    return this;
  }

  public DefinitionBuilder flag(String key) {
    this.flag = key;
    return this;
  }

  public DefinitionBuilder ring(String name, String audience, String soak) {
    return ring(name, audience, soak, null);
  }

  public DefinitionBuilder ring(String name, String audience, String soak, String approval) {
    rings.add("    - name: " + name + "\n      audience: " + audience + "\n      soak: " + soak + "\n"
        + (approval == null ? "" : "      approval: " + approval + "\n"));
    return this;
  }

  public DefinitionBuilder contractApproval(String approval) {
    this.contract = "  contract:\n    approval: " + approval + "\n";
    return this;
  }

  /** {@code spec.notify.slack.channel}: the rollout's Slack channel. */
  public DefinitionBuilder slackChannel(String channel) {
    this.notify = "  notify:\n    slack: { channel: " + channel + " }\n";
    return this;
  }

  public String yaml() {
    return "apiVersion: ringmaster/v1\nkind: Rollout\nmetadata: { service: " + service + ", domain: " + domain + ", owner: team-" + service + " }\n"
        + "spec:\n  flag: { key: " + flag + ", connection: flags }\n" + (migration == null ? "" : migration)
        + "  deploy: { connection: deploy }\n" + (analysis == null ? "" : analysis) + "  rings:\n" + String.join("", rings)
        + (contract == null ? "" : contract) + (notify == null ? "" : notify);
  }
}
