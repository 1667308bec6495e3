package dev.ringmaster.devserver;

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
import java.util.concurrent.TimeUnit;

/**
 * Temporal's Java test server bound to 127.0.0.1 only ({@code TestServer.main} binds every interface), in real time
 * (time skipping locked). Runs in the dev server process, or inside Ringmaster / a test (mode {@code in-process}).
 * With a {@link StickyQueueReaper}, so workers may keep their workflow caches (sticky queues) and a workflow whose
 * worker died still goes on, as against a real server; and with a {@link TimeLockLedger}, so its time-lock bookkeeping
 * does not grow slower with every activity it ever ran.
 */
public record LoopbackTestServer(TestServicesStarter services, Server grpc, StickyQueueReaper reaper) implements AutoCloseable {
  public static LoopbackTestServer start(int port) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    TimeLockLedger.install(services.getWorkflowService());
    try {
      ServerBuilder<?> builder = NettyServerBuilder.forAddress(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureServerCredentials.create());
      List<BindableService> bindable = services.getServices();
      StickyQueueReaper reaper = new StickyQueueReaper(services.getWorkflowService());
      GRPCServerHelper.registerServicesAndHealthChecks(bindable, builder, List.of(reaper));
      Server grpc = builder.build().start();
      reaper.start(grpc.getPort());
      return new LoopbackTestServer(services, grpc, reaper);
    } catch (IOException e) {
      services.close();
      String hint = e instanceof BindException || e.getCause() instanceof BindException || String.valueOf(e.getMessage()).contains("bind")
          ? "port " + port + " on 127.0.0.1 is already in use (another Ringmaster or Temporal?). Stop it, set "
              + "ringmaster.temporal.embedded-port=0 for a free port, or set ringmaster.temporal.mode=external and "
              + "spring.temporal.connection.target=host:7233 to use an external Temporal"
          : e.getMessage();
      throw new IllegalStateException("cannot start the embedded Temporal server: " + hint, e);
    }
  }

  public int port() {
    return grpc.getPort();
  }

  @Override
  public void close() {
    reaper.close();
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
