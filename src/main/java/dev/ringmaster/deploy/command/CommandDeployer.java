package dev.ringmaster.deploy.command;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.Heartbeats;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.connection.Redactor;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.deploy.Deployer;
import dev.ringmaster.definition.Durations;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs configured shell commands: {@code deploy} and {@code rollback} (templates with {@code {version}}, also
 * exported as {@code RINGMASTER_VERSION}), and {@code current-version} (prints the running version). A command that
 * exits 0 is done and ready; the deploy script is expected to wait for readiness itself. The output's last lines
 * go into the history, with secret environment values redacted.
 */
final class CommandDeployer implements Deployer {
  /** Versions are substituted into a shell command line, so only these characters are let through. */
  static final Pattern SAFE_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
  private static final int TAIL_LINES = 20;

  private final Connection connection;
  private final File workdir;
  private final Duration timeout;

  CommandDeployer(Connection connection) {
    this.connection = connection;
    this.workdir = new File(connection.setting("workdir").orElse("."));
    this.timeout = connection.duration("timeout", Duration.ofMinutes(10));
  }

  @Override
  public Optional<String> currentVersion(DeployTarget target) {
    Result r = run(connection.require("current-version"), "", target);
    String version = r.output.strip();
    if (version.isEmpty()) return Optional.empty();
    String last = version.lines().reduce((a, b) -> b).orElse("").strip();
    return Optional.of(last);
  }

  @Override
  public DeployOutcome deploy(DeployTarget target, String version) {
    return alreadyRunning(target, version).orElseGet(() -> outcome(connection.require("deploy"), version, target));
  }

  @Override
  public DeployOutcome rollback(DeployTarget target, String previousVersion) {
    String template = connection.setting("rollback").orElseGet(() -> connection.require("deploy"));
    return alreadyRunning(target, previousVersion).orElseGet(() -> outcome(template, previousVersion, target));
  }

  /**
   * A retried attempt (its worker died after the command ran, or while it ran and the command finished anyway) does
   * not run the command again when {@code current-version} already reports the version: a deploy happens once.
   */
  private Optional<DeployOutcome> alreadyRunning(DeployTarget target, String version) {
    if (Heartbeats.attempt() < 2 || !currentVersion(target).filter(version::equals).isPresent()) return Optional.empty();
    return Optional.of(new DeployOutcome(null, version, Duration.ZERO, "already running " + version + ": a retried attempt does not deploy again"));
  }

  private DeployOutcome outcome(String template, String version, DeployTarget target) {
    long start = System.nanoTime();
    Result r = run(template, version, target);
    return new DeployOutcome(null, version, Duration.ofNanos(System.nanoTime() - start), r.tail);
  }

  private Result run(String template, String version, DeployTarget target) {
    if (!version.isEmpty() && !SAFE_VERSION.matcher(version).matches()) {
      throw new PermanentFailure("version '" + version + "' contains characters that are not safe in a command line");
    }
    String command = template.replace("{version}", version);
    ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", command)).directory(workdir).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("RINGMASTER_VERSION", version);
    env.put("RINGMASTER_ROLLOUT_ID", target.rolloutId());
    env.put("RINGMASTER_SERVICE", target.service());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new PermanentFailure("connection '" + connection.name() + "': cannot start '" + command + "' in " + workdir + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException("'" + command + "' did not finish within " + Durations.format(timeout)
            + "; killed it. Last output:\n" + tail(redact(output.getNow(""))));
      }
      String out = redact(output.get(5, TimeUnit.SECONDS));
      int exit = p.exitValue();
      if (exit == 126 || exit == 127) {
        throw new PermanentFailure("connection '" + connection.name() + "': '" + command + "' could not run (exit " + exit
            + ": command not found or not executable):\n" + tail(out));
      }
      if (exit != 0) {
        throw new IllegalStateException("'" + command + "' failed with exit code " + exit + ":\n" + tail(out));
      }
      return new Result(out, tail(out));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running '" + command + "'", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not read the output of '" + command + "'", e);
    }
  }

  private static String redact(String s) {
    return Redactor.redact(s, System.getenv());
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(String s) {
    Deque<String> lines = new ArrayDeque<>();
    s.lines().forEach(l -> {
      lines.addLast(l);
      if (lines.size() > TAIL_LINES) lines.removeFirst();
    });
    return String.join("\n", lines);
  }

  private record Result(String output, String tail) {}
}
