package dev.ringmaster.flags.flagdfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagSnapshot;
import dev.ringmaster.flags.FlagTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Writes the release flag into an OpenFeature flagd flag-definition file, which flagd (or the flagd provider in
 * file mode) watches. Cohorts become {@code in} rules on context fields (tenants → {@code tenantId}, users →
 * {@code targetingKey}, attributes → their own names); a percentage becomes {@code fractional} over
 * {@code cat($flagd.flagKey, targetingKey)}, so the same user stays in the bucket as the ring grows.
 * Every write replaces the file atomically (temp file + rename), so a reader never sees half a file, and rewrites
 * the whole flag from the arguments, so calling a method twice leaves the same file (idempotent).
 */
final class FlagdFileProvider implements FlagProvider {
  /** Weights are relative in flagd; scaling percents by 1000 keeps 0.1 % rings exact. */
  static final int WEIGHT_SCALE = 1000;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Path file;
  private final String tenantField;

  FlagdFileProvider(Path file, String tenantField) {
    this.file = file;
    this.tenantField = tenantField;
  }

  /** The flag's JSON node as it is in the file (a copy), its {@code metadata.retired} and who retired it. */
  @Override
  public synchronized FlagSnapshot capture(FlagTarget flag) {
    try {
      JsonNode node = read().path("flags").path(flag.key());
      if (!node.isObject()) return FlagSnapshot.absent(flag.key());
      boolean retired = node.path("metadata").path("retired").asBoolean(false);
      boolean everyone = "on".equals(node.path("defaultVariant").asText()) && !node.has("targeting") && !"DISABLED".equals(node.path("state").asText());
      String releasedBy = retired ? node.path("metadata").path("rolloutId").asText(null) : null;
      return new FlagSnapshot(flag.key(), true, retired, retired && everyone, releasedBy, describe(node, retired), JSON.writeValueAsString(node));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read flagd file " + file + ": " + e.getMessage(), e);
    }
  }

  private static String describe(JsonNode node, boolean retired) {
    String state = "DISABLED".equals(node.path("state").asText()) ? "disabled"
        : node.has("targeting") ? "targeting rules, default " + node.path("defaultVariant").asText()
        : "default " + node.path("defaultVariant").asText() + " for everyone";
    return state + (retired ? ", retired" : "");
  }

  /**
   * Puts the flag's node back exactly as captured (variants, targeting, default, metadata). A flag that did not exist
   * stays in the file, off for everyone, so the flagd provider answers "off" instead of FLAG_NOT_FOUND.
   */
  @Override
  public FlagChange restore(FlagTarget flag, FlagSnapshot prior) {
    if (!prior.exists()) return removeRules(flag);
    ObjectNode before;
    try {
      before = (ObjectNode) JSON.readTree(prior.state());
    } catch (IOException | ClassCastException e) {
      throw new PermanentFailure("the recorded state of flag " + flag.key() + " is not a flagd flag: " + e.getMessage());
    }
    return write(flag, "restore the state before " + flag.rolloutId(), prior.summary(), null, f -> {
      f.removeAll();
      f.setAll(before);
    });
  }

  @Override
  public FlagChange enable(FlagTarget flag, String ring, Audience cumulative) {
    return write(flag, "enable ring " + ring, cumulative.describe(), f -> {
      f.put("defaultVariant", cumulative.reachesEveryone() ? "on" : "off");
      if (cumulative.reachesEveryone()) f.remove("targeting");
      else f.set("targeting", targeting(cumulative));
      metadata(f, flag).put("ring", ring);
    });
  }

  @Override
  public FlagChange killSwitch(FlagTarget flag) {
    return killSwitchAll(List.of(flag)).get(0);
  }

  /** Every flag off in one write of the file: many rollbacks at once cost one rename, not one each. */
  @Override
  public List<FlagChange> killSwitchAll(List<FlagTarget> flags) {
    return writeAll(flags, "kill switch", "nobody", ON_OFF, (f, flag) -> {
      f.put("defaultVariant", "off");
      f.remove("targeting");
      metadata(f, flag).put("killedBy", flag.rolloutId());
    });
  }

  @Override
  public FlagChange removeRules(FlagTarget flag) {
    return write(flag, "remove ring rules", "nobody", f -> {
      f.put("defaultVariant", "off");
      f.remove("targeting");
      metadata(f, flag).remove("ring");
    });
  }

  /** The feature is everyone's; the flag stays on (code still reads it until the next release) and is marked retired. */
  @Override
  public FlagChange retire(FlagTarget flag) {
    return write(flag, "retire", "everyone", f -> {
      f.put("defaultVariant", "on");
      f.remove("targeting");
      metadata(f, flag).put("retired", true);
    });
  }

  private ObjectNode targeting(Audience a) {
    ArrayNode cohorts = F.arrayNode();
    if (!a.tenants().isEmpty()) cohorts.add(in(tenantField, a.tenants()));
    if (!a.users().isEmpty()) cohorts.add(in("targetingKey", a.users()));
    a.attributes().forEach((field, values) -> cohorts.add(in(field, values)));
    ObjectNode percent = F.objectNode();
    if (a.percent() > 0) {
      int on = (int) Math.round(a.percent() * WEIGHT_SCALE);
      ArrayNode args = percent.putArray("fractional");
      args.addObject().putArray("cat")
          .add(F.objectNode().put("var", "$flagd.flagKey"))
          .add(F.objectNode().put("var", "targetingKey"));
      args.addArray().add("on").add(on);
      args.addArray().add("off").add(100 * WEIGHT_SCALE - on);
    }
    if (cohorts.isEmpty()) return percent;
    ObjectNode cohortRule = cohorts.size() == 1 ? (ObjectNode) cohorts.get(0) : F.objectNode().set("or", cohorts);
    ArrayNode branches = F.arrayNode().add(cohortRule).add("on");
    branches.add(a.percent() > 0 ? percent : F.textNode("off"));
    return F.objectNode().set("if", branches);
  }

  private static ObjectNode in(String field, List<String> values) {
    ObjectNode rule = F.objectNode();
    ArrayNode args = rule.putArray("in");
    args.addObject().put("var", field);
    ArrayNode list = args.addArray();
    values.forEach(list::add);
    return rule;
  }

  private static ObjectNode metadata(ObjectNode flagNode, FlagTarget flag) {
    ObjectNode m = flagNode.with("metadata");
    m.put("rolloutId", flag.rolloutId());
    if (flag.owner() != null) m.put("owner", flag.owner());
    if (flag.expires() != null) m.put("expires", flag.expires().toString());
    return m;
  }

  private static final ObjectNode ON_OFF = F.objectNode().put("on", true).put("off", false);

  private FlagChange write(FlagTarget flag, String action, String audience, Consumer<ObjectNode> change) {
    return write(flag, action, audience, ON_OFF, change);
  }

  private FlagChange write(FlagTarget flag, String action, String audience, ObjectNode variants, Consumer<ObjectNode> change) {
    return writeAll(List.of(flag), action, audience, variants, (node, f) -> change.accept(node)).get(0);
  }

  private record Edit(FlagTarget flag, String action, String audience, ObjectNode variants, BiConsumer<ObjectNode, FlagTarget> change,
      CompletableFuture<FlagChange> done) {}

  /** Changes waiting for the file: whoever holds the lock next writes all of them at once (a group commit). */
  private final ConcurrentLinkedQueue<Edit> queued = new ConcurrentLinkedQueue<>();

  /**
   * Rewrites each flag's node (ENABLED with {@code variants}, unless null: left as {@code change} makes them). Changes
   * that arrive while the file is being written wait, and the next writer applies all of them, in order, in one
   * replacement of the file: a hundred rollouts enabling their rings at once cost a few writes, not a hundred.
   */
  private List<FlagChange> writeAll(List<FlagTarget> flags, String action, String audience, ObjectNode variants,
      BiConsumer<ObjectNode, FlagTarget> change) {
    List<Edit> mine = flags.stream().map(f -> new Edit(f, action, audience, variants, change, new CompletableFuture<>())).toList();
    queued.addAll(mine);
    synchronized (this) {
      if (!mine.stream().allMatch(e -> e.done().isDone())) commitQueued();
    }
    List<FlagChange> changes = new ArrayList<>();
    for (Edit e : mine) {
      try {
        changes.add(e.done().join());
      } catch (CompletionException failed) {
        throw failed.getCause() instanceof RuntimeException r ? r : failed;
      }
    }
    return changes;
  }

  /** Under the lock: every queued change in one write of the file; each caller gets its own change, or the failure. */
  private void commitQueued() {
    List<Edit> group = new ArrayList<>();
    for (Edit e; (e = queued.poll()) != null; ) group.add(e);
    long start = System.nanoTime();
    try {
      ObjectNode root = read();
      writtenTree = null; // edited below: kept again only once it is written
      for (Edit e : group) {
        serializedFlags.remove(e.flag().key());
        ObjectNode flagNode = root.with("flags").with(e.flag().key());
        if (e.variants() != null) {
          flagNode.put("state", "ENABLED");
          flagNode.set("variants", e.variants().deepCopy());
        }
        e.change().accept(flagNode, e.flag());
      }
      byte[] bytes = serialize(root);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".flags-", ".json.tmp");
      try {
        Files.write(tmp, bytes);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      written = bytes;
      writtenTree = root;
      String ref = reference(bytes);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      group.forEach(e -> e.done().complete(new FlagChange(e.flag().key(), e.action(), e.audience(), ref, took)));
    } catch (IOException e) {
      UncheckedIOException failed = new UncheckedIOException("cannot write flagd file " + file + ": " + e.getMessage(), e);
      group.forEach(g -> g.done().completeExceptionally(failed));
    } catch (RuntimeException e) {
      group.forEach(g -> g.done().completeExceptionally(e));
    }
  }

  /** The file as this provider last wrote it, and its parsed tree (under the lock; null when unknown). */
  private byte[] written;
  private ObjectNode writtenTree;

  /**
   * Each flag of {@link #writtenTree} as it was last written, by key (under the lock). A write serializes only the
   * flags it changed and copies the others' bytes: with a thousand flags in the file, re-serializing all of them on
   * every write was most of an {@code EnableRing}'s time. Emptied whenever the tree is read from the file again.
   */
  private final Map<String, byte[]> serializedFlags = new HashMap<>();

  private static final ObjectMapper COMPACT = new ObjectMapper();
  private static final byte[] NEXT_FLAG = ",\n    ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] KEY_VALUE = " : ".getBytes(StandardCharsets.UTF_8);

  /**
   * The file's bytes: an object with each top-level field on its own line, and in {@code flags} one flag per line
   * (compact JSON), so a write reuses the bytes of every flag it did not change and a diff of two versions of the file
   * shows the flags that changed.
   */
  private byte[] serialize(ObjectNode root) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(written == null ? 4096 : written.length + 4096);
    out.write('{');
    boolean firstField = true;
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
      out.write((firstField ? "\n  " : ",\n  ").getBytes(StandardCharsets.UTF_8));
      firstField = false;
      out.write(COMPACT.writeValueAsBytes(field.getKey()));
      out.write(KEY_VALUE);
      if (!field.getKey().equals("flags") || !field.getValue().isObject() || field.getValue().isEmpty()) {
        out.write(COMPACT.writeValueAsBytes(field.getValue()));
        continue;
      }
      out.write("{\n    ".getBytes(StandardCharsets.UTF_8));
      boolean firstFlag = true;
      for (var flag : (Iterable<Map.Entry<String, JsonNode>>) field.getValue()::fields) {
        if (!firstFlag) out.write(NEXT_FLAG);
        firstFlag = false;
        out.write(COMPACT.writeValueAsBytes(flag.getKey()));
        out.write(KEY_VALUE);
        byte[] node = serializedFlags.get(flag.getKey());
        if (node == null) serializedFlags.put(flag.getKey(), node = COMPACT.writeValueAsBytes(flag.getValue()));
        out.write(node);
      }
      out.write("\n  }".getBytes(StandardCharsets.UTF_8));
    }
    out.write((firstField ? "}\n" : "\n}\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /**
   * The version of the file a change landed in: its CRC-32C (a checksum to tell versions apart in the rollout's
   * history, not a security measure; a SHA-256 of a file of a thousand flags cost as much as writing it).
   */
  static String reference(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return "crc32c:" + String.format("%08x", crc.getValue());
  }

  /**
   * The file's tree. When its bytes are still the ones written last, the tree kept from that write (a file of a
   * thousand flags costs a parse otherwise); anything else that changed the file is read as it is now.
   */
  private ObjectNode read() throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      writtenTree = null;
      serializedFlags.clear();
      ObjectNode root = F.objectNode();
      root.put("$schema", "https://flagd.dev/schema/v0/flags.json");
      return root;
    }
    byte[] bytes = Files.readAllBytes(file);
    if (writtenTree != null && java.util.Arrays.equals(bytes, written)) return writtenTree;
    writtenTree = null;
    serializedFlags.clear(); // they were the kept tree's
    try {
      var node = JSON.readTree(bytes);
      if (node instanceof ObjectNode o && (!o.has("flags") || o.get("flags").isObject())) return o;
    } catch (IOException e) {
      // fall through: a file we cannot parse is not ours to overwrite
    }
    throw new PermanentFailure("flagd file " + file + " exists but is not a flagd flag-definition file; refusing to overwrite it");
  }
}
