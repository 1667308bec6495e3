package dev.ringmaster.config;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code ringmaster.temporal.embedded=true} (the default): Temporal's Java test server runs inside this process,
 * bound to loopback only ({@code TestServer.main} would bind every interface), before any Spring bean connects to
 * it, and {@code spring.temporal.connection.target} is pointed at it. Port {@code ringmaster.temporal.embedded-port}
 * (default 7233, so the CLI and extra workers can reach it; 0 picks a free port). Time skipping is locked: the
 * embedded server keeps real time. State is in memory and gone when the process ends.
 */
public class EmbeddedTemporal implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    ConfigurableEnvironment env = context.getEnvironment();
    if (!env.getProperty("ringmaster.temporal.embedded", Boolean.class, true)) return;
    int port = env.getProperty("ringmaster.temporal.embedded-port", Integer.class, 7233);
    Running server = start(port);
    String target = "127.0.0.1:" + server.port();
    env.getPropertySources().addFirst(new MapPropertySource("ringmaster-embedded-temporal",
        Map.of("spring.temporal.connection.target", target, "ringmaster.temporal.sticky-queue-timeout-zero", "true")));
    // Destroyed with the context's singletons: on close, and also when the context fails to start, so a failed
    // start never leaves a server holding the port (its gRPC threads would keep the JVM alive).
    if (context.getBeanFactory() instanceof DefaultListableBeanFactory bf) {
      bf.registerDisposableBean("ringmasterEmbeddedTemporal", server::close);
    } else {
      context.addApplicationListener(event -> {
        if (event instanceof ContextClosedEvent) server.close();
      });
    }
    log.info("Embedded Temporal (Java test server) listening on {} — in-memory, for local use", target);
  }

  /** A running embedded server. */
  public record Running(TestServicesStarter services, Server grpc) implements AutoCloseable {
    public int port() {
      return grpc.getPort();
    }

    @Override
    public void close() {
      grpc.shutdown();
      try {
        if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) grpc.shutdownNow();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        grpc.shutdownNow();
      }
      services.close();
    }
  }

  public static Running start(int port) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    try {
      ServerBuilder<?> builder = NettyServerBuilder.forAddress(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureServerCredentials.create());
      List<BindableService> bindable = services.getServices();
      GRPCServerHelper.registerServicesAndHealthChecks(bindable, builder);
      return new Running(services, builder.build().start());
    } catch (IOException e) {
      services.close();
      String hint = e instanceof BindException || e.getCause() instanceof BindException || String.valueOf(e.getMessage()).contains("bind")
          ? "port " + port + " on 127.0.0.1 is already in use (another Ringmaster or Temporal?). Stop it, set "
              + "ringmaster.temporal.embedded-port=0 for a free port, or set ringmaster.temporal.embedded=false and "
              + "spring.temporal.connection.target=host:7233 to use an external Temporal"
          : e.getMessage();
      throw new IllegalStateException("cannot start the embedded Temporal server: " + hint, e);
    }
  }
}
