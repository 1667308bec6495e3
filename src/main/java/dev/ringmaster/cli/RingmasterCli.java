package dev.ringmaster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.auth.ApiTokens;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code ringmaster} CLI ({@code bin/ringmaster}): the REST API for CI jobs and operators, with exit codes a
 * pipeline can act on. No Spring here: it starts in well under a second.
 */
@Command(name = "ringmaster", mixinStandardHelpOptions = true, version = "ringmaster CLI 1",
    description = "Start, watch and steer Ringmaster rollouts.",
    subcommands = {RingmasterCli.Start.class, RingmasterCli.Status.class, RingmasterCli.Watch.class, RingmasterCli.ListRollouts.class,
        RingmasterCli.History.class, RingmasterCli.Approve.class, RingmasterCli.Reject.class, RingmasterCli.Abort.class, RingmasterCli.Pause.class,
        RingmasterCli.Resume.class, RingmasterCli.Promote.class, RingmasterCli.Retry.class, RingmasterCli.Token.class, DemoStory.class},
    footer = {"", "Exit codes: 0 SUCCEEDED (or the command was done), 1 ROLLED_BACK, 2 FAILED (compensation needs retry),",
        "3 still running after --timeout (paused, awaiting a human or soaking), 4 refused (invalid, 401/403, 404, 409), 5 Ringmaster unreachable."})
public final class RingmasterCli {
  static final int SUCCEEDED = 0, ROLLED_BACK = 1, FAILED = 2, WAITING = 3, REFUSED = 4, UNREACHABLE = 5;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cli = new CommandLine(new RingmasterCli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof Api.Unreachable u) {
        cmd.getErr().println("ringmaster: " + u.getMessage());
        return UNREACHABLE;
      }
      if (e instanceof Api.Refused r) {
        Connection c = connectionOf(cmd);
        if (c != null && c.json()) {
          cmd.getOut().println(r.body == null ? "{}" : r.body.toString());
        } else {
          cmd.getErr().println("ringmaster: refused (" + r.status + "): " + (r.body == null ? "" : r.body.path("error").asText()));
          if (r.body != null) r.body.path("details").forEach(d -> cmd.getErr().println("  " + d.asText()));
        }
        return REFUSED;
      }
      cmd.getErr().println("ringmaster: " + e.getMessage());
      return REFUSED;
    });
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("ringmaster: " + e.getMessage());
      e.getCommandLine().usage(e.getCommandLine().getErr());
      return REFUSED;
    });
    return cli.execute(args);
  }

  private static Connection connectionOf(CommandLine cmd) {
    Object o = cmd.getCommand();
    return o instanceof Base b ? b.connection : null;
  }

  /** Where Ringmaster is, who is calling, how to print. */
  static final class Connection {
    @Option(names = "--url", description = "Ringmaster's URL (default: $RINGMASTER_URL, else http://127.0.0.1:8080)")
    String url;

    @Option(names = "--token", description = "API token (default: $RINGMASTER_TOKEN, else the file of --token-file)")
    String token;

    @Option(names = "--token-file", description = "file holding the token (default: var/admin-token, the embedded default's admin token)")
    Path tokenFile;

    @Option(names = {"-o", "--output"}, description = "text (default) or json", defaultValue = "text")
    String output;

    boolean json() {
      return "json".equalsIgnoreCase(output);
    }

    private Api api;

    /** The API client, made once per command (start --wait posts, then polls with the same one). */
    Api api() {
      if (api != null) return api;
      String u = baseUrl();
      String t = token != null ? token : env("RINGMASTER_TOKEN", null);
      if (t == null) {
        Path f = tokenFile != null ? tokenFile : Path.of("var/admin-token");
        try {
          if (Files.isReadable(f)) t = Files.readString(f, StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
          t = null;
        }
      }
      api = new Api(u, t);
      return api;
    }

    /** --url, else $RINGMASTER_URL, else the embedded default's address. */
    String baseUrl() {
      return url != null ? url : env("RINGMASTER_URL", "http://127.0.0.1:8080");
    }

    private static String env(String name, String fallback) {
      String v = System.getenv(name);
      return v == null || v.isBlank() ? fallback : v;
    }
  }

  abstract static class Base implements Callable<Integer> {
    @Mixin Connection connection = new Connection();
    @Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    void print(JsonNode json, String text) {
      out().println(connection.json() ? json.toString() : text);
      out().flush();
    }

    static String enc(String id) {
      return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Streams progress lines until the rollout ends, or until {@code timeout} while it waits for a human. */
    int follow(String id, Duration timeout, Duration poll) throws Exception {
      return follow(id, timeout, poll, null, s -> {});
    }

    /** As {@link #follow(String, Duration, Duration)}; stops with exit code 3 when the rollout reaches phase {@code until}. */
    int follow(String id, Duration timeout, Duration poll, String until) throws Exception {
      return follow(id, timeout, poll, until, s -> {});
    }

    /** As {@link #follow(String, Duration, Duration)}, showing each status read to {@code onStatus} after its lines. */
    int follow(String id, Duration timeout, Duration poll, String until, StatusHook onStatus) throws Exception {
      String untilPhase = phaseOrState(until);
      Api api = connection.api();
      Progress progress = new Progress();
      long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
      Thread hook = new Thread(() -> err().println("ringmaster: stopped watching " + id + "; the rollout goes on (ringmaster abort " + id + " stops it)"));
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        while (true) {
          JsonNode s = api.get("/api/rollouts/" + enc(id));
          for (Progress.Event e : progress.next(s)) {
            out().println(connection.json() ? e.json(id).toString() : id + ": " + e.text());
          }
          out().flush();
          onStatus.seen(s);
          String state = s.path("state").asText();
          switch (state) {
            case "SUCCEEDED":
              return finish(s, SUCCEEDED);
            case "ROLLED_BACK":
              return finish(s, ROLLED_BACK);
            case "FAILED":
              return finish(s, FAILED);
            default:
              break;
          }
          if (untilPhase != null && (untilPhase.equals(s.path("phase").asText()) || untilPhase.equals(state))) {
            err().println("ringmaster: " + id + " reached " + untilPhase + "; stopped watching (the rollout goes on)");
            return finish(s, WAITING);
          }
          if (System.nanoTime() > deadline) {
            boolean human = state.equals("PAUSED") || s.path("phase").asText().equals("AWAITING_APPROVAL");
            err().println("ringmaster: " + id + " is still " + state + " (" + s.path("phase").asText() + ") after " + timeout
                + (human ? ": it waits for a human" : "") + "; the rollout goes on");
            return finish(s, WAITING);
          }
          Thread.sleep(poll.toMillis());
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // Ctrl-C: the hook says so
        }
      }
    }

    /** {@code --until}'s value as a phase or state name; refused (exit 4, nothing sent) when it is neither. */
    String phaseOrState(String until) {
      if (until == null) return null;
      String name = until.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      if (java.util.Arrays.stream(dev.ringmaster.pipeline.Phase.values()).noneMatch(p -> p.name().equals(name))
          && java.util.Arrays.stream(dev.ringmaster.pipeline.State.values()).noneMatch(st -> st.name().equals(name))) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--until " + until + " is not a phase or state; phases: "
            + java.util.Arrays.toString(dev.ringmaster.pipeline.Phase.values()) + ", states: " + java.util.Arrays.toString(dev.ringmaster.pipeline.State.values()));
      }
      return name;
    }

    /** Sees every status {@link #follow} reads (the demo approves from here). */
    interface StatusHook {
      void seen(JsonNode status) throws Exception;
    }

    private int finish(JsonNode s, int code) {
      if (connection.json()) {
        out().println(((ObjectNode) s.deepCopy()).put("exitCode", code).toString());
      } else {
        String why = Progress.text(s, "rollbackReason").isEmpty() || code == FAILED ? Progress.text(s, "message") : Progress.text(s, "rollbackReason");
        out().println(Progress.oneLine(s.path("id").asText() + ": " + s.path("state").asText() + (why.isEmpty() ? "" : " — " + why)));
      }
      out().flush();
      return code;
    }
  }

  @Command(name = "start", description = "Start a rollout (idempotent: the same service and version attach to the running one).")
  static final class Start extends Base {
    @Parameters(index = "0", description = "definition file, sent inline (or with --path: a path under the server's workflows directory)")
    String definition;

    @Option(names = "--version", required = true, description = "the version to roll out")
    String version;

    @Option(names = "--path", description = "send the definition as definitionPath (the server reads it) instead of inline")
    boolean byPath;

    @Option(names = "--commit", description = "the commit being released")
    String commit;

    @Option(names = "--ci-url", description = "link to the CI run")
    String ciUrl;

    @Option(names = "--wait", description = "stream progress until the rollout ends; exit code by its end state")
    boolean await;

    @Option(names = "--timeout", description = "with --wait: give up waiting after this long (e.g. 30m) with exit code 3", converter = DurationConverter.class)
    Duration timeout;

    @Option(names = "--poll", description = "with --wait: how often to read the status (default 1s)", defaultValue = "1s", converter = DurationConverter.class)
    Duration poll;

    @Option(names = "--until", paramLabel = "PHASE", description = "with --wait: stop waiting with exit code 3 once the rollout reaches this phase "
        + "(e.g. AWAITING_APPROVAL, SOAKING); the rollout goes on")
    String until;

    @Override
    public Integer call() throws Exception {
      phaseOrState(until); // a wrong --until is refused before anything starts
      ObjectNode body = Api.JSON.createObjectNode().put("version", version);
      if (byPath) {
        body.put("definitionPath", definition);
      } else {
        Path f = Path.of(definition);
        if (!Files.isRegularFile(f)) {
          err().println("ringmaster: " + definition + " is not a file (use --path for a path on the server)");
          return REFUSED;
        }
        body.put("definition", Files.readString(f, StandardCharsets.UTF_8));
      }
      if (commit != null) body.put("commit", commit);
      if (ciUrl != null) body.put("ciRunUrl", ciUrl);
      JsonNode started = connection.api().post("/api/rollouts", body);
      String id = started.path("id").asText();
      print(started, id + " " + started.path("state").asText() + " — " + started.path("statusUrl").asText());
      if (!await) return SUCCEEDED;
      if (!connection.json()) out().println(id + ": waiting for the end (Ctrl-C stops waiting, not the rollout)");
      return follow(id, timeout, poll, until);
    }
  }

  @Command(name = "watch", description = "Stream a rollout's progress until it ends (exit code by its end state).")
  static final class Watch extends Base {
    @Parameters(index = "0") String id;

    @Option(names = "--timeout", converter = DurationConverter.class, description = "give up after this long with exit code 3")
    Duration timeout;

    @Option(names = "--poll", defaultValue = "1s", converter = DurationConverter.class)
    Duration poll;

    @Option(names = "--until", paramLabel = "PHASE", description = "stop watching with exit code 3 once the rollout reaches this phase "
        + "(e.g. AWAITING_APPROVAL, SOAKING); the rollout goes on")
    String until;

    @Override
    public Integer call() throws Exception {
      return follow(id, timeout, poll, until);
    }
  }

  @Command(name = "status", description = "A rollout's status.")
  static final class Status extends Base {
    @Parameters(index = "0") String id;

    @Override
    public Integer call() throws Exception {
      JsonNode s = connection.api().get("/api/rollouts/" + enc(id));
      StringBuilder t = new StringBuilder(s.path("id").asText() + ": " + s.path("state").asText() + ", phase " + s.path("phase").asText());
      if (!Progress.text(s, "message").isEmpty()) t.append(" — ").append(Progress.text(s, "message"));
      for (JsonNode r : s.path("rings")) t.append("\n  ring ").append(r.path("name").asText()).append(": ").append(r.path("state").asText())
          .append(" (").append(r.path("audience").asText()).append(")");
      if (!Progress.text(s, "rollbackReason").isEmpty()) t.append("\n  rollback: ").append(Progress.text(s, "rollbackReason"));
      s.path("rollbackSteps").forEach(st -> t.append("\n    ").append(st.asText()));
      print(s, t.toString());
      return SUCCEEDED;
    }
  }

  @Command(name = "list", description = "List rollouts (newest first).")
  static final class ListRollouts extends Base {
    @Option(names = "--service") String service;
    @Option(names = "--state") String state;

    @Override
    public Integer call() throws Exception {
      StringBuilder q = new StringBuilder();
      if (service != null) q.append(q.length() == 0 ? "?" : "&").append("service=").append(enc(service));
      if (state != null) q.append(q.length() == 0 ? "?" : "&").append("state=").append(enc(state.toUpperCase(Locale.ROOT)));
      JsonNode list = connection.api().get("/api/rollouts" + q);
      StringBuilder t = new StringBuilder();
      list.forEach(r -> t.append(t.length() == 0 ? "" : "\n").append(r.path("id").asText()).append("  ").append(r.path("state").asText())
          .append(r.path("phase").asText().equals(r.path("state").asText()) ? "" : " (" + r.path("phase").asText()
              + (Progress.text(r, "currentRing").isEmpty() ? "" : ", ring " + Progress.text(r, "currentRing")) + ")")
          .append("  started ").append(Progress.text(r, "startedAt")));
      print(list, t.length() == 0 ? "no rollouts" : t.toString());
      return SUCCEEDED;
    }
  }

  @Command(name = "history", description = "A rollout's Temporal history as a timeline.")
  static final class History extends Base {
    @Parameters(index = "0") String id;

    @Override
    public Integer call() throws Exception {
      JsonNode h = connection.api().get("/api/rollouts/" + enc(id) + "/history");
      StringBuilder t = new StringBuilder();
      h.forEach(e -> t.append(t.length() == 0 ? "" : "\n").append(Progress.text(e, "at")).append("  #").append(e.path("eventId").asText())
          .append("  ").append(Progress.text(e, "type")).append(Progress.text(e, "step").isEmpty() ? "" : "  " + Progress.text(e, "step"))
          .append(Progress.text(e, "detail").isEmpty() ? "" : "  " + Progress.oneLine(Progress.text(e, "detail"))));
      print(h, t.toString());
      return SUCCEEDED;
    }
  }

  /** approve / reject: the API action is the command's name. */
  abstract static class Decide extends Base {
    @Parameters(index = "0") String id;
    @Option(names = "--comment") String comment;
    @Option(names = "--gate", description = "what is being approved (ring name or contract), to avoid approving a later gate by mistake") String gate;

    @Override
    public Integer call() throws Exception {
      String action = spec.name();
      ObjectNode body = Api.JSON.createObjectNode();
      if (comment != null) body.put("comment", comment);
      if (gate != null) body.put("gate", gate);
      JsonNode r = connection.api().post("/api/rollouts/" + enc(id) + "/" + action, body);
      print(r, id + ": " + r.path("gate").asText() + " " + r.path("decision").asText().toLowerCase() + " — " + r.path("message").asText());
      return SUCCEEDED;
    }
  }

  @Command(name = "approve", description = "Approve the gate a rollout awaits.")
  static final class Approve extends Decide {}

  @Command(name = "reject", description = "Reject the gate a rollout awaits (it rolls back).")
  static final class Reject extends Decide {}

  /** abort / pause / resume / promote / retry: the API action is the command's name. */
  abstract static class Operate extends Base {
    @Parameters(index = "0") String id;
    @Option(names = "--reason") String reason;

    @Override
    public Integer call() throws Exception {
      String action = spec.name();
      ObjectNode body = Api.JSON.createObjectNode();
      if (reason != null) body.put("reason", reason);
      JsonNode s = connection.api().post("/api/rollouts/" + enc(id) + "/" + action, body);
      print(s, id + ": " + action + " accepted; now " + s.path("state").asText() + ", phase " + s.path("phase").asText());
      return SUCCEEDED;
    }
  }

  @Command(name = "abort", description = "Abort: the flag off for everyone, the previous version redeployed, the expand undone.")
  static final class Abort extends Operate {}

  @Command(name = "pause", description = "Pause the soak (its time left is kept).")
  static final class Pause extends Operate {}

  @Command(name = "resume", description = "Resume a paused rollout.")
  static final class Resume extends Operate {}

  @Command(name = "promote", description = "End the current soak now (its gates run once).")
  static final class Promote extends Operate {}

  @Command(name = "retry", description = "Retry a FAILED rollout's compensation or contract.")
  static final class Retry extends Operate {}

  @Command(name = "token", description = "API tokens.", subcommands = TokenCreate.class)
  static final class Token implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getOut());
      return SUCCEEDED;
    }
  }

  @Command(name = "create", description = "Make a new API token: printed once, with the configuration that accepts it (only its hash).")
  static final class TokenCreate implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--identity", required = true, description = "who the token is (ci-checkout, alice@example.com)") String identity;
    @Option(names = "--roles", required = true, split = ",", description = "trigger, approve, operate, read, admin") List<String> roles;
    @Option(names = "--services", split = ",", description = "service scopes (globs); default: every service") List<String> services;
    @Option(names = "--name", description = "configuration key, lower-case letters and digits (default: the identity's)") String name;

    @Override
    public Integer call() {
      roles.forEach(dev.ringmaster.rollouts.Role::parse);
      if (identity.isBlank()) throw new CommandLine.ParameterException(spec.commandLine(), "--identity is blank");
      // Letters and digits only: an environment variable cannot spell '-' or '.' in a map key.
      String key = name != null ? name : identity.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
      if (!key.matches("[a-z0-9]{1,64}")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--name must be 1 to 64 lower-case letters and digits (it is a key in the "
            + "configuration and in environment variable names): '" + key + "'");
      }
      String token = ApiTokens.generate();
      String hash = ApiTokens.hash(token);
      PrintWriter out = spec.commandLine().getOut();
      out.println("token (shown once; give it to " + identity + ", e.g. as the CI secret RINGMASTER_TOKEN):");
      out.println("  " + token);
      out.println();
      out.println("application.yaml:");
      out.println("  ringmaster.auth.tokens." + key + ": {identity: " + identity + ", hash: " + hash + ", roles: [" + String.join(", ", roles) + "]"
          + (services == null ? "" : ", services: [" + String.join(", ", services) + "]") + "}");
      out.println("or environment:");
      String env = "RINGMASTER_AUTH_TOKENS_" + key.toUpperCase(Locale.ROOT);
      out.println("  " + env + "_IDENTITY=" + identity + " " + env + "_HASH=" + hash + " " + env + "_ROLES=" + String.join(",", roles)
          + (services == null ? "" : " " + env + "_SERVICES=" + String.join(",", services)));
      out.flush();
      return SUCCEEDED;
    }
  }

  /** Durations as definitions spell them (30s, 10m, 1h); shared by every picocli command in this jar. */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return dev.ringmaster.definition.Durations.parse(value);
    }
  }
}
