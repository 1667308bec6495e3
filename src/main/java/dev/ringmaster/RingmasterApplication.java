package dev.ringmaster;

import dev.ringmaster.cli.RingmasterCli;
import dev.ringmaster.demo.DemoCommands;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Ringmaster's server; {@code java -jar ringmaster.jar cli <command> ...} runs the {@link RingmasterCli CLI} from the
 * same jar instead (no Spring context is started), which is what {@code bin/ringmaster} does in a checkout;
 * {@code demo-service} and {@code demo-load} run the demo's service and load generator as processes of their own.
 */
@SpringBootApplication
public class RingmasterApplication {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("cli")) {
      System.exit(RingmasterCli.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && (args[0].equals("demo-service") || args[0].equals("demo-load"))) {
      System.exit(DemoCommands.run(args[0], Arrays.copyOfRange(args, 1, args.length)));
    }
    SpringApplication.run(RingmasterApplication.class, args);
  }
}
