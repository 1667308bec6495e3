package dev.ringmaster.demo;

import dev.ringmaster.PublicUrl;
import dev.ringmaster.auth.AuthProperties;
import dev.ringmaster.cli.RingmasterCli;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * The demo next to Ringmaster ({@code ringmaster.demo.enabled}, the {@code demo} profile): when Ringmaster is ready,
 * the greeter {@link DemoService} with its {@link LoadGenerator}, and, with {@code ringmaster.demo.story}, the
 * {@code ringmaster demo} story run once against this Ringmaster's own API (the same CLI command a user can run
 * again in another terminal). A second Ringmaster on the same machine finds the demo's port taken and leaves the
 * demo to the first.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DemoProperties.class)
@ConditionalOnProperty(name = "ringmaster.demo.enabled", havingValue = "true")
class DemoConfig {
  private static final Logger log = LoggerFactory.getLogger(DemoConfig.class);

  @Bean(destroyMethod = "close")
  Demo demo(DemoProperties props, PublicUrl publicUrl, AuthProperties auth) {
    return new Demo(props, publicUrl, auth);
  }

  static final class Demo implements AutoCloseable {
    private final DemoProperties props;
    private final PublicUrl publicUrl;
    private final AuthProperties auth;
    private DemoService service;
    private LoadGenerator load;

    Demo(DemoProperties props, PublicUrl publicUrl, AuthProperties auth) {
      this.props = props;
      this.publicUrl = publicUrl;
      this.auth = auth;
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void start() throws IOException {
      try {
        service = DemoService.start(props.port(), Path.of(props.flagsFile()), Path.of(props.versionFile()), props.badErrorRate(), props.badLatency());
      } catch (BindException taken) {
        log.warn("demo: port {} is taken (another Ringmaster runs the demo?); this one starts no demo service", props.port());
        return;
      }
      log.info("demo service 'greeter' on {} (GET /hello?user=U&tenant=T, metrics on /metrics): flag from {}, version from {}", service.url(),
          props.flagsFile(), props.versionFile());
      load = LoadGenerator.start(service.url(), props.requestsPerSecond(), props.users());
      log.info("demo load generator: {} requests/s over {} users", props.requestsPerSecond(), props.users());
      if (!props.story()) return;
      Thread t = new Thread(() -> {
        int code = RingmasterCli.run("demo", "--url", publicUrl.base(), "--token-file", auth.adminTokenFile(), "--approver-token-file",
            props.approverTokenFile());
        log.info("demo story ended (exit code {}); Ringmaster keeps running: follow the walkthrough in README.md (bin/ringmaster list)", code);
      }, "demo-story");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public synchronized void close() {
      if (load != null) load.close();
      if (service != null) service.close();
    }
  }
}
