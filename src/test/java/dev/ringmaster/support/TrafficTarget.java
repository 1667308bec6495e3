package dev.ringmaster.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A service the metric-gate tests control: it "serves" 100 requests/s for each of {@code flag="on"} and
 * {@code flag="off"} and exposes {@code http_requests_total{flag,code}} and the histogram
 * {@code http_request_duration_seconds{flag}} on {@code /metrics} in Prometheus' text format. Tests turn traffic
 * off, inject 5xx or latency for one flag value, or stop the endpoint.
 */
public final class TrafficTarget implements AutoCloseable {
  private static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1};
  private static final String[] FLAGS = {"on", "off"};

  public volatile boolean traffic = true;
  /** While false, no {@code flag="off"} requests: everyone has the flag, as in a ring of 100 %. */
  public volatile boolean offTraffic = true;
  /** While true, 5 requests/s per flag value instead of 100. */
  public volatile boolean lowTraffic;
  /**
   * While true, realistic noise on both flag values: 0, 1 or 2 requests every 10 ms (100/s on average), each a 5xx
   * with probability 1 % (on top of any injected rate), and now and then (every 20 s on average) a blip of
   * {@link #blipMinMs}–{@link #blipMaxMs} (100–300 ms) in which every request fails: a GC pause or a restarting
   * dependency, the single noisy point a tripwire must ride out.
   */
  public volatile boolean noisy;
  public volatile int blipMinMs = 100;
  public volatile int blipMaxMs = 300;
  /** Blips so far, per flag value (noisy mode). */
  public final java.util.concurrent.atomic.AtomicInteger[] blips = {new java.util.concurrent.atomic.AtomicInteger(), new java.util.concurrent.atomic.AtomicInteger()};
  private final long[] blipUntil = new long[2];
  /** While true, /metrics answers 503 (the endpoint is down). */
  public volatile boolean down;
  public volatile double errorRateOn;
  public volatile double errorRateOff;
  public volatile double latencyOn = 0.04;
  public volatile double latencyOff = 0.04;
  /** Millis since the epoch when errors for flag="on" were last switched on (for latency benchmarks). */
  public volatile long regressionStartedAt;

  private final long[][] requests = new long[2][2]; // [flag][ok, 5xx]
  private final double[] errorDebt = new double[2];
  private final long[][] buckets = new long[2][BUCKETS.length + 1];
  private final double[] sum = new double[2];
  private final HttpServer server;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

  public TrafficTarget() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/metrics", x -> {
      if (down) {
        x.sendResponseHeaders(503, -1);
        x.close();
        return;
      }
      byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
    ticker.scheduleAtFixedRate(this::tick, 10, 10, TimeUnit.MILLISECONDS);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String metricsUrl() {
    return "http://127.0.0.1:" + port() + "/metrics";
  }

  /** Healthy traffic again: no errors, normal latency, endpoint up. */
  public void reset() {
    traffic = true;
    offTraffic = true;
    lowTraffic = false;
    noisy = false;
    down = false;
    errorRateOn = 0;
    errorRateOff = 0;
    latencyOn = 0.04;
    latencyOff = 0.04;
  }

  public void injectErrorsOn(double rate) {
    regressionStartedAt = System.currentTimeMillis();
    errorRateOn = rate;
  }

  private long ticks;

  /** One request per flag value every 10 ms (every 200 ms with low traffic). */
  private synchronized void tick() {
    if (!traffic || (lowTraffic && ticks++ % 20 != 0)) return;
    if (noisy) {
      noisyTick();
      return;
    }
    for (int f = 0; f < (offTraffic ? 2 : 1); f++) {
      errorDebt[f] += f == 0 ? errorRateOn : errorRateOff;
      boolean error = errorDebt[f] >= 1;
      if (error) errorDebt[f] -= 1;
      serve(f, error);
    }
  }

  private void serve(int f, boolean error) {
    requests[f][error ? 1 : 0]++;
    double latency = f == 0 ? latencyOn : latencyOff;
    sum[f] += latency;
    for (int b = 0; b < BUCKETS.length; b++) if (latency <= BUCKETS[b]) buckets[f][b]++;
    buckets[f][BUCKETS.length]++;
  }

  private void noisyTick() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long now = System.nanoTime();
    for (int f = 0; f < 2; f++) {
      if (now >= blipUntil[f] && random.nextInt(2000) == 0) {
        blipUntil[f] = now + (blipMinMs + random.nextInt(blipMaxMs - blipMinMs + 1)) * 1_000_000L;
        blips[f].incrementAndGet();
      }
      boolean blip = now < blipUntil[f];
      int n = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        serve(f, blip || random.nextDouble() < 0.01 + (f == 0 ? errorRateOn : errorRateOff));
      }
    }
  }

  private synchronized String exposition() {
    StringBuilder sb = new StringBuilder("# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n");
    for (int f = 0; f < 2; f++) {
      sb.append("http_requests_total{flag=\"").append(FLAGS[f]).append("\",code=\"200\"} ").append(requests[f][0]).append('\n');
      sb.append("http_requests_total{flag=\"").append(FLAGS[f]).append("\",code=\"500\"} ").append(requests[f][1]).append('\n');
    }
    sb.append("# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n");
    for (int f = 0; f < 2; f++) {
      for (int b = 0; b <= BUCKETS.length; b++) {
        String le = b == BUCKETS.length ? "+Inf" : String.valueOf(BUCKETS[b]);
        sb.append("http_request_duration_seconds_bucket{flag=\"").append(FLAGS[f]).append("\",le=\"").append(le).append("\"} ")
            .append(buckets[f][b]).append('\n');
      }
      sb.append("http_request_duration_seconds_sum{flag=\"").append(FLAGS[f]).append("\"} ").append(sum[f]).append('\n');
      sb.append("http_request_duration_seconds_count{flag=\"").append(FLAGS[f]).append("\"} ").append(buckets[f][BUCKETS.length]).append('\n');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    server.stop(0);
  }
}
