package dev.ringmaster;

import dev.ringmaster.cli.RingmasterCli;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Ringmaster's server; {@code java -jar ringmaster.jar cli <command> ...} runs the {@link RingmasterCli CLI} from the
 * same jar instead (no Spring context is started), which is what {@code bin/ringmaster} does in a checkout.
 */
@SpringBootApplication
public class RingmasterApplication {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("cli")) {
      System.exit(RingmasterCli.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    SpringApplication.run(RingmasterApplication.class, args);
  }
}
