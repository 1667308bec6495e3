package dev.ringmaster.demo;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ringmaster.demo.*}: the demo service next to Ringmaster (on with the {@code demo} profile, which
 * {@code mvn spring-boot:run} activates). {@code flagsFile} is the flagd file of the {@code greeter-flags} connection,
 * {@code versionFile} what the {@code greeter-deploy} script writes; {@code story}: run {@code ringmaster demo}
 * against this Ringmaster once it is ready.
 */
@ConfigurationProperties("ringmaster.demo")
public record DemoProperties(boolean enabled, Integer port, String flagsFile, String versionFile, Integer requestsPerSecond, Integer users,
    Double badErrorRate, Duration badLatency, boolean story, String approverTokenFile) {
  public DemoProperties {
    port = port == null ? 8090 : port;
    flagsFile = flagsFile == null ? "var/greeter/flags.json" : flagsFile;
    versionFile = versionFile == null ? "var/greeter/running-version" : versionFile;
    requestsPerSecond = requestsPerSecond == null ? 100 : requestsPerSecond;
    users = users == null ? 1000 : users;
    badErrorRate = badErrorRate == null ? 0.3 : badErrorRate;
    badLatency = badLatency == null ? Duration.ofMillis(300) : badLatency;
    approverTokenFile = approverTokenFile == null ? "var/demo-approver-token" : approverTokenFile;
  }
}
