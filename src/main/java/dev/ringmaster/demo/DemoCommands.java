package dev.ringmaster.demo;

import dev.ringmaster.cli.RingmasterCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo as processes of their own (the compose stack's {@code demo} and {@code load} services):
 * {@code java -jar ringmaster.jar demo-service ...} and {@code ... demo-load ...}. With {@code mvn spring-boot:run}
 * both run inside Ringmaster instead ({@link DemoConfig}).
 */
public final class DemoCommands {
  private DemoCommands() {}

  /** Runs {@code demo-service} or {@code demo-load} with {@code args}; returns the exit code when it ends. */
  public static int run(String command, String... args) {
    Object cmd = command(command);
    if (cmd == null) throw new IllegalArgumentException("unknown demo command " + command + " (demo-service, demo-load)");
    return new CommandLine(cmd).execute(args);
  }

  private static Object command(String name) {
    return switch (name) {
      case "demo-service" -> new ServiceCommand();
      case "demo-load" -> new LoadCommand();
      default -> null;
    };
  }

  /** Whether {@code args} are valid for {@code command} (the compose file's commands are checked with it). */
  public static boolean parses(String command, String... args) {
    Object cmd = command(command);
    if (cmd == null) return false;
    try {
      new CommandLine(cmd).parseArgs(args);
      return true;
    } catch (CommandLine.ParameterException e) {
      return false;
    }
  }

  @Command(name = "demo-service", mixinStandardHelpOptions = true, description = "The greeter demo service: /hello and /metrics.")
  static final class ServiceCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (0.0.0.0 in a container; default ${DEFAULT-VALUE})") String host;
    @Option(names = "--port", defaultValue = "8090") int port;
    @Option(names = "--flags", defaultValue = "var/greeter/flags.json", description = "the flagd file Ringmaster writes") Path flags;
    @Option(names = "--version-file", defaultValue = "var/greeter/running-version", description = "the file the deploy script writes") Path versionFile;
    @Option(names = "--bad-error-rate", defaultValue = "0.3") double badErrorRate;
    @Option(names = "--bad-latency", defaultValue = "300ms", converter = RingmasterCli.DurationConverter.class) Duration badLatency;

    @Override
    public Integer call() throws Exception {
      try (DemoService service = DemoService.start(host, port, flags, versionFile, badErrorRate, badLatency)) {
        System.out.println("demo service 'greeter' on " + host + ":" + service.port() + ": flag from " + flags + ", version from " + versionFile);
        new CountDownLatch(1).await(); // until the process is stopped
      }
      return 0;
    }
  }

  @Command(name = "demo-load", mixinStandardHelpOptions = true, description = "Steady traffic for the demo service.")
  static final class LoadCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8090", description = "the demo service") String url;
    @Option(names = "--rate", defaultValue = "100", description = "requests per second") int rate;
    @Option(names = "--users", defaultValue = "1000") int users;

    @Override
    public Integer call() throws Exception {
      try (LoadGenerator load = LoadGenerator.start(url, rate, users)) {
        System.out.println("demo load: " + rate + " requests/s over " + users + " users to " + url);
        new CountDownLatch(1).await();
      }
      return 0;
    }
  }
}
