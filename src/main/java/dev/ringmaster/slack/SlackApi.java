package dev.ringmaster.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.model.Message;
import com.slack.api.model.block.LayoutBlock;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * The Slack Web API methods Ringmaster uses, through the Slack SDK, with the bot token from the environment.
 * Failures (Slack down, 429 with its Retry-After, {@code ok: false}) are thrown; callers decide whether they matter
 * (notifications retry a few times and give up; approvals never depend on Slack answering).
 */
@Component
@EnableConfigurationProperties(SlackSettings.class)
public class SlackApi {
  private final SlackSettings settings;
  private final Slack slack;
  private final Map<String, Cached> groups = new ConcurrentHashMap<>();

  private record Cached(List<String> members, Instant until) {}

  public SlackApi(SlackSettings settings) {
    this.settings = settings;
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(settings.apiUrl());
    config.setStatsEnabled(false);
    config.setPrettyResponseLoggingEnabled(false);
    this.slack = Slack.getInstance(config);
  }

  public boolean enabled() {
    return settings.token() != null;
  }

  /** The signing secret from the environment; null when not configured (then every Slack request is refused). */
  public String signingSecret() {
    return settings.signingSecret();
  }

  public List<String> operatorsAllowed() {
    return settings.operators();
  }

  private MethodsClient methods() {
    String token = settings.token();
    if (token == null) throw new IllegalStateException("Slack is not configured: environment variable " + settings.tokenEnv() + " is not set");
    return slack.methods(token);
  }

  @FunctionalInterface
  private interface Call<T extends SlackApiTextResponse> {
    T run(MethodsClient m) throws IOException, SlackApiException;
  }

  private <T extends SlackApiTextResponse> T call(String method, Call<T> call) {
    try {
      T r = call.run(methods());
      if (!r.isOk()) throw new IllegalStateException("Slack " + method + " failed: " + r.getError());
      return r;
    } catch (SlackApiException e) {
      String retryAfter = e.getResponse().header("Retry-After");
      throw new IllegalStateException("Slack " + method + " answered HTTP " + e.getResponse().code()
          + (retryAfter == null ? "" : " (Retry-After: " + retryAfter + " s)"), e);
    } catch (IOException e) {
      throw new IllegalStateException("Slack " + method + " is unreachable: " + e.getMessage(), e);
    }
  }

  /** Posts a message (a thread reply when {@code threadTs} is set, shown in the channel too when {@code broadcast}); its ts. */
  String post(String channel, String threadTs, boolean broadcast, String text, List<LayoutBlock> blocks) {
    return call("chat.postMessage", m -> m.chatPostMessage(r -> r.channel(channel).threadTs(threadTs).replyBroadcast(broadcast && threadTs != null)
        .text(text).blocks(blocks))).getTs();
  }

  void update(String channel, String ts, String text, List<LayoutBlock> blocks) {
    call("chat.update", m -> m.chatUpdate(r -> r.channel(channel).ts(ts).text(text).blocks(blocks)));
  }

  public void ephemeral(String channel, String user, String text) {
    call("chat.postEphemeral", m -> m.chatPostEphemeral(r -> r.channel(channel).user(user).text(text)));
  }

  List<Message> thread(String channel, String ts) {
    return call("conversations.replies", m -> m.conversationsReplies(r -> r.channel(channel).ts(ts).limit(200))).getMessages();
  }

  /** Members of a user group, cached for {@code group-cache-ttl}. */
  public List<String> groupMembers(String groupId) {
    Cached c = groups.get(groupId);
    if (c != null && c.until().isAfter(Instant.now())) return c.members();
    List<String> members = call("usergroups.users.list", m -> m.usergroupsUsersList(r -> r.usergroup(groupId))).getUsers();
    groups.put(groupId, new Cached(List.copyOf(members), Instant.now().plus(settings.groupCacheTtl())));
    return members;
  }

  /** The Slack user with this e-mail address, if any. */
  public Optional<String> userByEmail(String email) {
    try {
      return Optional.of(call("users.lookupByEmail", m -> m.usersLookupByEmail(r -> r.email(email))).getUser().getId());
    } catch (IllegalStateException e) {
      if (String.valueOf(e.getMessage()).endsWith("users_not_found")) return Optional.empty();
      throw e;
    }
  }
}
