package dev.ringmaster.devserver;

import dev.ringmaster.devserver.DevServer.PidFile;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a Temporal dev server runs before Ringmaster connects to it: reuses the one its PID file names (or any
 * server already listening on the port), else starts {@link DevServer} as a process of its own — in a new session
 * ({@code setsid}), so that neither Ctrl-C in Ringmaster's terminal nor Ringmaster's death takes it down. A lock file
 * next to the PID file keeps two Ringmaster processes starting at once from starting two servers.
 */
public final class DevServerLauncher {
  private static final Logger log = LoggerFactory.getLogger(DevServerLauncher.class);
  private static final Duration READY_WITHIN = Duration.ofSeconds(30);

  private DevServerLauncher() {}

  /**
   * The dev server JVM's options when {@code ringmaster.temporal.dev-server-jvm-options} does not say otherwise. They
   * apply when this launcher starts the server; a dev server that already runs keeps the options it started with.
   * {@code -XX:TieredStopAtLevel=1}: only the quick C1 compiler. On a small machine that Ringmaster shares with its dev
   * server, C2's compilations took CPU from bursts of work (100 approvals at once) long after start-up (BENCHMARKS.md,
   * "1,000 rollouts soaking on one worker").
   */
  public static final String DEFAULT_JVM_OPTIONS = "-XX:TieredStopAtLevel=1";

  /**
   * @param jvmOptions the dev server JVM's options, separated by spaces (used only if it has to be started)
   * @return the port the dev server listens on (127.0.0.1)
   */
  public static int ensureRunning(Path pidFile, int port, String jvmOptions) {
    try {
      Path dir = pidFile.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      try (FileChannel channel = FileChannel.open(dir.resolve("temporal-dev-server.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        Optional<PidFile> live = PidFile.live(pidFile);
        if (live.isPresent() && accepts(live.get().port())) {
          log.info("Reusing the Temporal dev server on 127.0.0.1:{} (pid {}, {}); it keeps rollouts in memory: stopping it "
              + "(./ringmaster-dev-server stop) loses them, restarting Ringmaster does not", live.get().port(), live.get().pid(), pidFile);
          return live.get().port();
        }
        if (port != 0 && accepts(port)) {
          log.info("A server already listens on 127.0.0.1:{}; using it as Temporal (not started by this Ringmaster)", port);
          return port;
        }
        return start(pidFile, port, dir.resolve("temporal-dev-server.log"), jvmOptions);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Temporal dev server: " + e.getMessage(), e);
    }
  }

  private static int start(Path pidFile, int port, Path logFile, String jvmOptions) throws IOException {
    Files.deleteIfExists(pidFile);
    List<String> command = new ArrayList<>();
    // --wait: should setsid have to fork, it stays until the server exits, so an early exit is seen either way.
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) command.addAll(List.of("/usr/bin/setsid", "--wait"));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArguments(jvmOptions));
    String classPath = System.getProperty("java.class.path");
    if (!classPath.contains(File.pathSeparator) && classPath.endsWith(".jar")) {
      // Ringmaster runs from its executable jar: the dev server runs from the same jar through Boot's launcher.
      command.addAll(List.of("-Dloader.main=" + DevServer.class.getName(), "-cp", classPath, "org.springframework.boot.loader.launch.PropertiesLauncher"));
    } else {
      command.addAll(List.of("-cp", classPath, DevServer.class.getName()));
    }
    command.addAll(List.of("--port", String.valueOf(port), "--pid-file", pidFile.toAbsolutePath().toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<PidFile> live = PidFile.live(pidFile);
      if (live.isPresent() && accepts(live.get().port())) {
        log.warn("Started the Temporal dev server on 127.0.0.1:{} as its own process (pid {}; log {}). It keeps every rollout IN MEMORY: "
            + "restarting or killing Ringmaster loses nothing, stopping the dev server loses everything "
            + "(stop it with ./ringmaster-dev-server stop). Production uses a real Temporal cluster: "
            + "ringmaster.temporal.mode=external and spring.temporal.connection.target=host:7233.", live.get().port(), live.get().pid(), logFile);
        return live.get().port();
      }
      if (!p.isAlive()) {
        // the options themselves are not repeated here (a -D option may hold a password); the JVM's log names the one it refused
        throw new IllegalStateException("the Temporal dev server exited during start-up (status " + p.exitValue() + "; check its JVM options, "
            + "ringmaster.temporal.dev-server-jvm-options); its log (" + logFile + ") ends with:\n" + tail(logFile));
      }
      sleep();
    }
    throw new IllegalStateException("the Temporal dev server did not come up within " + READY_WITHIN.toSeconds() + " s; its log ("
        + logFile + ") ends with:\n" + tail(logFile));
  }

  /** JVM options written as one string, separated by whitespace, as arguments: none for a blank string. */
  public static List<String> jvmArguments(String options) {
    List<String> arguments = new ArrayList<>();
    for (String option : options.strip().split("\\s+")) if (!option.isEmpty()) arguments.add(option);
    return arguments;
  }

  /** Whether something accepts TCP connections on 127.0.0.1:port. */
  public static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the Temporal dev server", e);
    }
  }
}
