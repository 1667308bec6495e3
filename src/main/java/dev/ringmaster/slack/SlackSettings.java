package dev.ringmaster.slack;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ringmaster.slack.*}. Slack is on when the environment variable named by {@code token-env} holds a bot token.
 * The token and the signing secret are read from the environment by name, never from configuration.
 *
 * @param tokenEnv environment variable holding the bot token ({@code xoxb-…}); default SLACK_BOT_TOKEN
 * @param signingSecretEnv environment variable holding the app's signing secret; default SLACK_SIGNING_SECRET
 * @param apiUrl Slack's Web API base; changed only to point at a local server in tests
 * @param operators Slack user IDs allowed to use {@code /ringmaster abort}
 * @param groupCacheTtl how long user-group memberships are cached
 */
@ConfigurationProperties("ringmaster.slack")
public record SlackSettings(String tokenEnv, String signingSecretEnv, String apiUrl, List<String> operators, Duration groupCacheTtl) {
  public SlackSettings {
    tokenEnv = tokenEnv == null ? "SLACK_BOT_TOKEN" : tokenEnv;
    signingSecretEnv = signingSecretEnv == null ? "SLACK_SIGNING_SECRET" : signingSecretEnv;
    apiUrl = apiUrl == null ? "https://slack.com/api/" : apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
    operators = operators == null ? List.of() : List.copyOf(operators);
    groupCacheTtl = groupCacheTtl == null ? Duration.ofMinutes(1) : groupCacheTtl;
  }

  String token() {
    String t = System.getenv(tokenEnv);
    return t == null || t.isBlank() ? null : t;
  }

  String signingSecret() {
    String s = System.getenv(signingSecretEnv);
    return s == null || s.isBlank() ? null : s;
  }
}
