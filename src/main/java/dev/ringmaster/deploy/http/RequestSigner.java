package dev.ringmaster.deploy.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests so the receiver can trust them, the way Slack signs its requests:
 * {@code X-Ringmaster-Timestamp: <unix seconds>} and
 * {@code X-Ringmaster-Signature: v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)>}, the body being the
 * exact bytes sent (empty for GET). Receivers recompute it, compare in constant time, and reject timestamps more
 * than 5 minutes off (replays).
 */
final class RequestSigner {
  static final String TIMESTAMP = "X-Ringmaster-Timestamp";
  static final String SIGNATURE = "X-Ringmaster-Signature";

  private final SecretKeySpec key;
  private final Clock clock;

  RequestSigner(String secret, Clock clock) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.clock = clock;
  }

  Map<String, String> sign(String body) {
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] digest = mac.doFinal(("v1:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(TIMESTAMP, timestamp);
      headers.put(SIGNATURE, "v1=" + HexFormat.of().formatHex(digest));
      return headers;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
