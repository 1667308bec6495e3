package dev.ringmaster;

import dev.ringmaster.config.RingmasterProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Where people reach this Ringmaster: {@code ringmaster.public-url} when set (behind a proxy, on a real host name),
 * otherwise the address and port the server really listens on — so a {@code statusUrl} never names a port nobody
 * listens on.
 */
@Component
public class PublicUrl implements ApplicationListener<WebServerInitializedEvent> {
  private final String configured;
  private final String address;
  private volatile int port;

  PublicUrl(RingmasterProperties props, @Value("${server.address:127.0.0.1}") String address, @Value("${server.port:8080}") int port) {
    String configured = props.publicUrl() == null ? "" : props.publicUrl();
    this.configured = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
    this.address = address;
    this.port = port;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    port = event.getWebServer().getPort();
  }

  public String base() {
    if (!configured.isBlank()) return configured;
    return "http://" + host() + ":" + port;
  }

  public String rollout(String id) {
    return base() + "/api/rollouts/" + id;
  }

  private String host() {
    if (address.equals("0.0.0.0") || address.equals("::") || address.isBlank()) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return "localhost";
      }
    }
    return address.contains(":") ? "[" + address + "]" : address;
  }
}
