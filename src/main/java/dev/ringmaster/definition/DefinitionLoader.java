package dev.ringmaster.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Approval;
import dev.ringmaster.definition.RolloutDefinition.Contract;
import dev.ringmaster.definition.RolloutDefinition.Deploy;
import dev.ringmaster.definition.RolloutDefinition.Flag;
import dev.ringmaster.definition.RolloutDefinition.Metadata;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.RolloutDefinition.Migration;
import dev.ringmaster.definition.RolloutDefinition.Notify;
import dev.ringmaster.definition.RolloutDefinition.OnTimeout;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import dev.ringmaster.definition.RolloutDefinition.Slack;
import dev.ringmaster.definition.RolloutDefinition.Spec;
import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a {@code workflows/*.yaml} definition into {@link RolloutDefinition} records. Structural problems (unknown
 * fields, wrong types, durations that do not parse) are collected while reading; {@link DefinitionValidator} then
 * adds the semantic ones; all of them come back together in one {@link InvalidDefinitionException}.
 */
public final class DefinitionLoader {
  /** The largest definition read, in characters (the example is about 2 Ki); larger ones are refused before parsing. */
  public static final int MAX_CHARACTERS = 256 * 1024;
  /** A definition nests about six levels deep; anything much deeper is not a definition. */
  static final int MAX_DEPTH = 32;
  private static final ObjectMapper YAML = new ObjectMapper(limitedYaml());

  /** SnakeYAML's and Jackson's limits, so that the largest definition allowed parses in milliseconds. */
  private static YAMLFactory limitedYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CHARACTERS);
    options.setMaxAliasesForCollections(20);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    return YAMLFactory.builder()
        .loaderOptions(options)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxStringLength(MAX_CHARACTERS)
            .maxNumberLength(64).maxNameLength(1024).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  private final DefinitionValidator validator;

  public DefinitionLoader(DefinitionValidator validator) {
    this.validator = validator;
  }

  /** @throws InvalidDefinitionException listing every problem found */
  public RolloutDefinition load(String yaml) {
    List<Problem> problems = new ArrayList<>();
    JsonNode root;
    if (yaml != null && yaml.length() > MAX_CHARACTERS) {
      throw new InvalidDefinitionException(List.of(new Problem("(document)", "is " + yaml.length() + " characters long, more than the "
          + MAX_CHARACTERS / 1024 + " Ki a definition may have", "a definition is a few kilobytes; split what is not one rollout")));
    }
    try {
      root = YAML.readTree(yaml == null ? "" : yaml);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new InvalidDefinitionException(
          List.of(new Problem("(document)", "is not valid YAML" + where + ": " + e.getOriginalMessage(), null)));
    } catch (RuntimeException e) {
      // SnakeYAML's own limits (code points, aliases, nesting) surface as unchecked exceptions.
      throw new InvalidDefinitionException(List.of(new Problem("(document)", "is not a YAML document Ringmaster reads: " + e.getMessage(), null)));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidDefinitionException(
          List.of(new Problem("(document)", "must be a YAML mapping with apiVersion, kind, metadata and spec",
              "start from workflows/example.yaml")));
    }
    RolloutDefinition definition = read(new YamlNode(root, "", problems));
    problems.addAll(validator.validate(definition));
    if (!problems.isEmpty()) throw new InvalidDefinitionException(problems);
    return definition;
  }

  private RolloutDefinition read(YamlNode root) {
    root.allowOnly("apiVersion", "kind", "metadata", "spec");
    YamlNode meta = root.child("metadata").object(true);
    Metadata metadata = null;
    if (meta != null) {
      meta.allowOnly("service", "domain", "owner");
      metadata =
          new Metadata(meta.child("service").text(true), meta.child("domain").text(true), meta.child("owner").text(true));
    }
    YamlNode spec = root.child("spec").object(true);
    return new RolloutDefinition(
        root.child("apiVersion").text(true), root.child("kind").text(true), metadata, spec == null ? null : spec(spec));
  }

  private Spec spec(YamlNode s) {
    s.allowOnly("strategy", "flag", "migration", "deploy", "analysis", "rings", "contract", "notify");
    String strategy = s.child("strategy").text(false);
    YamlNode ringsNode = s.child("rings");
    List<Ring> rings;
    if (!ringsNode.isMissing()) {
      rings = ringsNode.list(true, this::ring);
    } else if (strategy != null) {
      rings = Presets.named(strategy).map(Presets::rings).orElse(List.of());
    } else {
      s.child("rings").problem("is required when spec.strategy is not set", "name a preset (" + Presets.names() + ") or list rings");
      rings = List.of();
    }
    return new Spec(
        strategy,
        flag(s.child("flag").object(true)),
        migration(s.child("migration").object(false)),
        deploy(s.child("deploy").object(true)),
        analysis(s.child("analysis").object(false)),
        rings,
        contract(s.child("contract").object(false)),
        notify(s.child("notify").object(false)));
  }

  private Flag flag(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("key", "connection", "expires", "reuse");
    return new Flag(n.child("key").text(true), n.child("connection").text(true), n.child("expires").date(), n.child("reuse").bool(false));
  }

  private Migration migration(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("connection", "expand", "contract", "undo");
    return new Migration(
        n.child("connection").text(true), n.child("expand").text(true), n.child("contract").text(false), n.child("undo").text(false));
  }

  private Deploy deploy(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("connection", "target");
    Map<String, String> target = new LinkedHashMap<>();
    YamlNode t = n.child("target").object(false);
    if (t != null) {
      for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        String v = t.child(k).text(true);
        if (v != null) target.put(k, v);
      }
    }
    return new Deploy(n.child("connection").text(true), target);
  }

  private Analysis analysis(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("connection", "interval", "failureLimit", "inconclusiveLimit", "minSamples", "metrics", "tripwires");
    return new Analysis(
        n.child("connection").text(true),
        n.child("interval").duration(true),
        n.child("failureLimit").integer(1, 1),
        n.child("inconclusiveLimit").integer(3, 1),
        n.child("minSamples").integer(0, 0),
        n.child("metrics").list(true, this::metric),
        n.child("tripwires").list(false, this::tripwire));
  }

  private Tripwire tripwire(YamlNode n) {
    if (n.object(true) == null) return null;
    n.allowOnly("name", "canary", "control", "samples", "failIf", "minSamples", "consecutive");
    return new Tripwire(
        n.child("name").text(true),
        n.child("canary").text(true),
        n.child("control").text(false),
        n.child("samples").text(true),
        n.child("failIf").text(true),
        n.child("minSamples").integer((int) Tripwire.DEFAULT_MIN_SAMPLES, 0),
        n.child("consecutive").integer(Tripwire.DEFAULT_CONSECUTIVE, 1));
  }

  private Metric metric(YamlNode n) {
    if (n.object(true) == null) return null;
    n.allowOnly("name", "canary", "control", "samples", "failIf");
    return new Metric(
        n.child("name").text(true),
        n.child("canary").text(true),
        n.child("control").text(false),
        n.child("samples").text(false),
        n.child("failIf").text(true));
  }

  private Ring ring(YamlNode n) {
    if (n.object(true) == null) return null;
    n.allowOnly("name", "audience", "soak", "approval");
    Duration soak = n.child("soak").duration(true);
    return new Ring(
        n.child("name").text(true),
        audience(n.child("audience").object(true)),
        soak,
        approval(n.child("approval").object(false)));
  }

  private Audience audience(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("tenants", "users", "attributes", "percent");
    Map<String, List<String>> attributes = new LinkedHashMap<>();
    YamlNode attrs = n.child("attributes").object(false);
    if (attrs != null) {
      for (Iterator<String> it = attrs.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        attributes.put(k, attrs.child(k).texts(true));
      }
    }
    Double percent = n.child("percent").number(false);
    return new Audience(
        n.child("tenants").texts(false), n.child("users").texts(false), attributes, percent == null ? 0 : percent);
  }

  private Approval approval(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("approvers", "quorum", "timeout", "onTimeout");
    String onTimeout = n.child("onTimeout").text(false);
    OnTimeout policy = OnTimeout.ROLLBACK;
    if (onTimeout != null) {
      try {
        policy = OnTimeout.valueOf(onTimeout.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        n.child("onTimeout").problem("'" + onTimeout + "' is not an onTimeout policy", "use rollback or hold");
      }
    }
    return new Approval(
        n.child("approvers").texts(true), n.child("quorum").integer(1, 1), n.child("timeout").duration(true), policy);
  }

  private Contract contract(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("approval");
    return new Contract(approval(n.child("approval").object(false)));
  }

  private Notify notify(YamlNode n) {
    if (n == null) return null;
    n.allowOnly("slack");
    YamlNode slack = n.child("slack").object(false);
    if (slack == null) return new Notify(null);
    slack.allowOnly("channel");
    return new Notify(new Slack(slack.child("channel").text(true)));
  }
}
