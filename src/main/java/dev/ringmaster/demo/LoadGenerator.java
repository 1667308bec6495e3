package dev.ringmaster.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady traffic for the demo service: {@code perSecond} requests a second, each from one of {@code users} users
 * spread over the tenants (one in ten from the internal tenant {@code acme-internal}, the first ring's audience).
 */
public final class LoadGenerator implements AutoCloseable {
  static final List<String> TENANTS = List.of("globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell", "cyberdyne");

  private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "demo-load");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
      .executor(Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "demo-load-http");
        t.setDaemon(true);
        return t;
      })).build();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();

  private LoadGenerator(String baseUrl, int perSecond, int users) {
    long periodMicros = 1_000_000L / Math.max(1, perSecond);
    ticks.scheduleAtFixedRate(() -> {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      int user = r.nextInt(users);
      String tenant = user % 10 == 0 ? "acme-internal" : TENANTS.get(user % TENANTS.size());
      HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/hello?user=user-" + user + "&tenant=" + tenant)).timeout(Duration.ofSeconds(5)).build();
      sent.incrementAndGet();
      http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((res, e) -> {
        if (e == null) answered.incrementAndGet();
      });
    }, 0, periodMicros, TimeUnit.MICROSECONDS);
  }

  public static LoadGenerator start(String baseUrl, int perSecond, int users) {
    return new LoadGenerator(baseUrl, perSecond, users);
  }

  public long sent() {
    return sent.get();
  }

  public long answered() {
    return answered.get();
  }

  @Override
  public void close() {
    ticks.shutdownNow();
  }
}
