package dev.ringmaster.devserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Temporal's Java test server as a process of its own: {@code java -cp … dev.ringmaster.devserver.DevServer
 * [--port 7233] [--pid-file var/temporal-dev-server.pid]}. Loopback only. It outlives the Ringmaster processes that
 * use it (killing or restarting Ringmaster loses nothing), but it keeps every rollout in memory: stopping it loses
 * them all. Production uses a real Temporal cluster. Ringmaster starts it when none runs ({@link DevServerLauncher});
 * {@code ./ringmaster-dev-server stop} stops it.
 */
public final class DevServer {
  private DevServer() {}

  public static void main(String[] args) throws Exception {
    int port = 7233;
    Path pidFile = Path.of("var", "temporal-dev-server.pid");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--pid-file" -> pidFile = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: DevServer [--port 7233] [--pid-file path]");
      }
    }
    LoopbackTestServer server = LoopbackTestServer.start(port);
    PidFile.write(pidFile, ProcessHandle.current().pid(), server.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Path written = pidFile;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      PidFile.deleteIfOurs(written, ProcessHandle.current().pid());
      stopped.countDown();
    }, "dev-server-shutdown"));
    System.out.println("Temporal dev server (Temporal's Java test server) listening on 127.0.0.1:" + server.port() + ", pid "
        + ProcessHandle.current().pid() + ". State is in memory: stopping this process loses every rollout's history. "
        + "Production uses a real Temporal cluster (spring.temporal.connection.target).");
    stopped.await();
  }

  /** {@code <pid> <port>} in one line; a PID file whose process is gone is stale. */
  public record PidFile(long pid, int port) {
    public static void write(Path file, long pid, int port) throws IOException {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, pid + " " + port + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The running dev server the file names, if its process is alive. */
    public static java.util.Optional<PidFile> live(Path file) {
      try {
        String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
        PidFile p = new PidFile(Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
        return ProcessHandle.of(p.pid()).filter(ProcessHandle::isAlive).map(h -> p);
      } catch (IOException | RuntimeException missingOrGarbled) {
        return java.util.Optional.empty();
      }
    }

    static void deleteIfOurs(Path file, long pid) {
      try {
        if (Files.readString(file, StandardCharsets.UTF_8).trim().startsWith(pid + " ")) Files.deleteIfExists(file);
      } catch (IOException gone) {
        // nothing to clean up
      }
    }
  }
}
