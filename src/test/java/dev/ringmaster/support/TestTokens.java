package dev.ringmaster.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmaster.auth.ApiTokens;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API tokens for the tests' callers. Each test identity (the {@code by} / {@code triggeredBy} the tests used to
 * write in bodies) has a token with the roles trigger, approve, operate and read on every service; a call whose
 * body names an identity is sent with that identity's token, so approval rules (self-approval, approver lists)
 * run on authenticated identities. Tests of the auth rules themselves configure narrower tokens.
 */
public final class TestTokens {
  public static final List<String> IDENTITIES = List.of("ci", "ci-bot", "alice", "bob", "carol", "dave@example.com", "sre", "sre-on-call", "mallory", "reader", "U0ALICE");

  private TestTokens() {}

  public static String tokenOf(String identity) {
    return "rm_test_" + name(identity);
  }

  private static String name(String identity) {
    return identity.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }

  /** Spring properties configuring every test identity's token (hash only, as in production). */
  public static Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    for (String identity : IDENTITIES) {
      String prefix = "ringmaster.auth.tokens." + name(identity);
      p.put(prefix + ".identity", identity);
      p.put(prefix + ".hash", ApiTokens.hash(tokenOf(identity)));
      p.put(prefix + ".roles", "trigger,approve,operate,read");
    }
    return p;
  }

  /** The identity a body names ({@code by}, {@code triggeredBy}), or {@code fallback}. */
  public static String identityFor(Object body, String fallback) {
    if (body instanceof JsonNode json) {
      for (String field : List.of("by", "triggeredBy")) {
        if (json.path(field).isTextual() && IDENTITIES.contains(json.path(field).asText())) return json.path(field).asText();
      }
    }
    return fallback;
  }
}
