package dev.ringmaster.config;

import dev.ringmaster.devserver.DevServerLauncher;
import dev.ringmaster.devserver.LoopbackTestServer;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Where Ringmaster's Temporal comes from, before any Spring bean connects to it ({@code ringmaster.temporal.mode}):
 * <ul>
 *   <li>{@code dev-server} (the default): Temporal's Java test server as a process of its own on 127.0.0.1
 *       ({@link DevServerLauncher}: reused when one runs, started when none does), so rollouts outlive any Ringmaster
 *       process. Its state is in memory: stopping the dev server loses them.
 *   <li>{@code in-process}: the test server inside this JVM (tests; everything is lost with the process).
 *   <li>{@code external} (or {@code ringmaster.temporal.embedded=false}): a real Temporal cluster at
 *       {@code spring.temporal.connection.target} — production, and how several machines share the work.
 * </ul>
 * Port {@code ringmaster.temporal.embedded-port} (default 7233; 0 picks a free port). The test server binds loopback
 * only here ({@code TestServer.main} would bind every interface) and keeps real time.
 */
public class EmbeddedTemporal implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    ConfigurableEnvironment env = context.getEnvironment();
    boolean embedded = env.getProperty("ringmaster.temporal.embedded", Boolean.class, true);
    String mode = embedded ? env.getProperty("ringmaster.temporal.mode", "dev-server") : "external";
    int port = env.getProperty("ringmaster.temporal.embedded-port", Integer.class, 7233);
    switch (mode) {
      case "external" -> {
        return;
      }
      case "dev-server" -> {
        Path pidFile = Path.of(env.getProperty("ringmaster.temporal.dev-server-pid-file", "var/temporal-dev-server.pid"));
        String jvmOptions = env.getProperty("ringmaster.temporal.dev-server-jvm-options", DevServerLauncher.DEFAULT_JVM_OPTIONS);
        point(env, DevServerLauncher.ensureRunning(pidFile, port, jvmOptions));
      }
      case "in-process" -> {
        LoopbackTestServer server = LoopbackTestServer.start(port);
        point(env, server.port());
        // Destroyed with the context's singletons: on close, and also when the context fails to start, so a failed
        // start never leaves a server holding the port (its gRPC threads would keep the JVM alive).
        if (context.getBeanFactory() instanceof DefaultListableBeanFactory bf) {
          bf.registerDisposableBean("ringmasterEmbeddedTemporal", server::close);
        } else {
          context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) server.close();
          });
        }
        log.info("In-process Temporal (Java test server) listening on 127.0.0.1:{} — in memory, gone with this process", server.port());
      }
      default -> throw new IllegalStateException("ringmaster.temporal.mode must be dev-server, in-process or external, not '" + mode + "'");
    }
  }

  /**
   * Points Spring's Temporal client at the embedded server. Sticky execution stays on (the SDK's default): the dev
   * server and the in-process server hand a dead worker's workflows on, queries included ({@code StickyQueueReaper}).
   */
  private static void point(ConfigurableEnvironment env, int port) {
    Map<String, Object> embedded = Map.of("spring.temporal.connection.target", "127.0.0.1:" + port);
    env.getPropertySources().addFirst(new MapPropertySource("ringmaster-embedded-temporal", embedded));
  }
}
