package dev.ringmaster.slack;

import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.slack.api.app_backend.SlackSignature;
import dev.ringmaster.rollouts.RolloutCommands;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** Slack's endpoints alone: nothing reaches the rollout commands unless Slack's signature and timestamp check out. */
// No Temporal in a slice: no dev server is started (mode external, and nothing connects).
// Slack's endpoints are open to the API's token check (they verify Slack's signature): the real security configuration.
@WebMvcTest(controllers = SlackController.class, properties = {"ringmaster.temporal.mode=external", "ringmaster.auth.admin-token-file="})
@org.springframework.context.annotation.Import({dev.ringmaster.auth.SecurityConfig.class, SlackControllerTest.Properties.class})
class SlackControllerTest {
  /** The request body limit (a filter, so part of the slice) reads ringmaster.api.max-request-body. */
  @org.springframework.boot.test.context.TestConfiguration
  @org.springframework.boot.context.properties.EnableConfigurationProperties(dev.ringmaster.config.RingmasterProperties.class)
  static class Properties {}

  static final String SECRET = "test-signing-secret-1234";

  @Autowired MockMvc mvc;
  @MockitoBean RolloutCommands commands;
  @MockitoBean SlackApi slack;

  @BeforeEach
  void secret() {
    when(slack.signingSecret()).thenReturn(SECRET);
  }

  @Test
  void unsignedForgedAndStaleRequestsAre401AndNothingIsCommanded() throws Exception {
    String body = "text=abort+rollout-x-1+bad&user_id=U1";
    String now = String.valueOf(System.currentTimeMillis() / 1000);
    String stale = String.valueOf(System.currentTimeMillis() / 1000 - 600);
    mvc.perform(post("/slack/commands").contentType(MediaType.APPLICATION_FORM_URLENCODED).content(body))
        .andExpect(status().isUnauthorized()).andExpect(jsonPath("$.error").exists());
    mvc.perform(post("/slack/commands").contentType(MediaType.APPLICATION_FORM_URLENCODED).content(body)
        .header("X-Slack-Request-Timestamp", now).header("X-Slack-Signature", new SlackSignature.Generator("wrong").generate(now, body)))
        .andExpect(status().isUnauthorized());
    mvc.perform(post("/slack/commands").contentType(MediaType.APPLICATION_FORM_URLENCODED).content(body)
        .header("X-Slack-Request-Timestamp", stale).header("X-Slack-Signature", new SlackSignature.Generator(SECRET).generate(stale, body)))
        .andExpect(status().isUnauthorized());
    verifyNoInteractions(commands);
  }

  @Test
  void aSignedSlashCommandFromANonOperatorIsAnsweredWithoutAborting() throws Exception {
    String body = "text=abort+rollout-x-1+bad&user_id=U1";
    String now = String.valueOf(System.currentTimeMillis() / 1000);
    when(slack.operatorsAllowed()).thenReturn(java.util.List.of("U2"));
    mvc.perform(post("/slack/commands").contentType(MediaType.APPLICATION_FORM_URLENCODED).content(body)
        .header("X-Slack-Request-Timestamp", now).header("X-Slack-Signature", new SlackSignature.Generator(SECRET).generate(now, body)))
        .andExpect(status().isOk()).andExpect(jsonPath("$.text").value("Not allowed: only Ringmaster operators (ringmaster.slack.operators) may abort rollouts."));
    verifyNoInteractions(commands);
  }
}
