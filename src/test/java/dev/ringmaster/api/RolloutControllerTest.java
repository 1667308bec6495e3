package dev.ringmaster.api;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.ringmaster.PublicUrl;
import dev.ringmaster.config.RingmasterProperties;
import dev.ringmaster.pipeline.ApprovalReceipt;
import dev.ringmaster.pipeline.Operation;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.auth.SecurityConfig;
import dev.ringmaster.rollouts.Caller;
import dev.ringmaster.rollouts.Role;
import dev.ringmaster.support.TestTokens;
import dev.ringmaster.rollouts.CommandRefused;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import dev.ringmaster.rollouts.RolloutCommands;
import dev.ringmaster.rollouts.StartRequest;
import dev.ringmaster.rollouts.Started;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** The REST layer alone: request bodies to commands, refusals to statuses and {@code {error, details}}; commands are mocked. */
// No Temporal in a slice: no dev server is started (mode external, and nothing connects).
@WebMvcTest(controllers = RolloutController.class, properties = "ringmaster.temporal.mode=external")
@Import({CallerIdentity.class, PublicUrl.class, RolloutControllerTest.Properties.class, SecurityConfig.class})
class RolloutControllerTest {
  @TestConfiguration
  @EnableConfigurationProperties(RingmasterProperties.class)
  static class Properties {}

  @Autowired MockMvc mvc;
  @MockitoBean RolloutCommands commands;

  @DynamicPropertySource
  static void tokens(DynamicPropertyRegistry r) {
    TestTokens.properties().forEach((k, v) -> r.add(k, () -> v));
    r.add("ringmaster.auth.admin-token-file", () -> "");
  }

  static MockHttpServletRequestBuilder as(String identity, MockHttpServletRequestBuilder request) {
    return request.header("Authorization", "Bearer " + TestTokens.tokenOf(identity)).contentType(MediaType.APPLICATION_JSON);
  }

  static Caller caller(String identity, String source) {
    return new Caller(identity, source, List.of(), EnumSet.of(Role.TRIGGER, Role.APPROVE, Role.OPERATE, Role.READ), List.of());
  }

  @Test
  void aStartAnswers201WithTheStatusUrlAndARetriedStart200() throws Exception {
    when(commands.start(any(), eq(caller("ci", "rest")))).thenReturn(new Started("rollout-x-1.0.0", true, State.RUNNING),
        new Started("rollout-x-1.0.0", false, State.RUNNING));
    String body = "{\"definitionPath\": \"workflows/x.yaml\", \"version\": \"1.0.0\"}";
    mvc.perform(as("ci", post("/api/rollouts")).content(body)).andExpect(status().isCreated())
        .andExpect(jsonPath("$.id").value("rollout-x-1.0.0")).andExpect(jsonPath("$.state").value("RUNNING"))
        .andExpect(jsonPath("$.statusUrl").value("http://127.0.0.1:8080/api/rollouts/rollout-x-1.0.0"));
    mvc.perform(as("ci", post("/api/rollouts")).content(body)).andExpect(status().isOk());
    verify(commands, org.mockito.Mockito.times(2)).start(eq(new StartRequest(null, "workflows/x.yaml", "1.0.0", null, null)), any());
  }

  @Test
  void noTokenAWrongTokenATokenInTheUrlAndAnotherNameInTheBodyAreRefusedAndNothingIsCommanded() throws Exception {
    String body = "{\"definitionPath\": \"workflows/x.yaml\", \"version\": \"1\"}";
    mvc.perform(post("/api/rollouts").contentType(MediaType.APPLICATION_JSON).content(body))
        .andExpect(status().isUnauthorized()).andExpect(jsonPath("$.error").value("authentication required: send 'Authorization: Bearer <token>'"))
        .andExpect(jsonPath("$.details").isArray());
    mvc.perform(get("/api/rollouts").header("Authorization", "Bearer rm_not-a-token")).andExpect(status().isUnauthorized())
        .andExpect(jsonPath("$.error").value("invalid token"));
    mvc.perform(get("/api/rollouts").header("Authorization", "Basic YWxpY2U6c2VjcmV0")).andExpect(status().isUnauthorized());
    mvc.perform(get("/api/rollouts?access_token=" + TestTokens.tokenOf("alice"))).andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error").value("tokens are never accepted in a URL (URLs end up in logs and browser history)"));
    mvc.perform(as("bob", post("/api/rollouts/rollout-x-1/approve")).content("{\"by\": \"alice\"}"))
        .andExpect(status().isForbidden()).andExpect(jsonPath("$.error").value("'by' says 'alice' but the token belongs to bob"));
    mvc.perform(as("mallory", post("/api/rollouts")).content("{\"definitionPath\": \"workflows/x.yaml\", \"version\": \"1\", \"triggeredBy\": \"ci\"}"))
        .andExpect(status().isForbidden());
    verifyNoInteractions(commands);
  }

  @Test
  void eachRefusalReasonHasItsStatusAndKeepsItsDetails() throws Exception {
    when(commands.approve(eq("forbidden"), any(), any(), any())).thenThrow(new CommandRefused(Reason.FORBIDDEN, "alice is not an approver", List.of("NotAnApprover")));
    when(commands.approve(eq("gone"), any(), any(), any())).thenThrow(new CommandRefused(Reason.NOT_FOUND, "no rollout with id 'gone'"));
    when(commands.operate(eq("ended"), eq(Operation.RESUME), any(), any())).thenThrow(new CommandRefused(Reason.CONFLICT, "not applicable"));
    when(commands.start(any(), any())).thenThrow(new CommandRefused(Reason.PENDING, "accepted but has not started yet"));
    when(commands.approve(eq("taken-over"), any(), any(), any())).thenThrow(new CommandRefused(Reason.UNAVAILABLE, "rollout taken-over exists, but its status could not be read just now"));
    mvc.perform(as("alice", post("/api/rollouts/forbidden/approve")).content("{}"))
        .andExpect(status().isForbidden()).andExpect(jsonPath("$.details[0]").value("NotAnApprover"));
    mvc.perform(as("alice", post("/api/rollouts/gone/approve"))).andExpect(status().isNotFound());
    mvc.perform(as("alice", post("/api/rollouts/ended/resume")).content("{}")).andExpect(status().isConflict());
    mvc.perform(as("ci", post("/api/rollouts")).content("{}")).andExpect(status().isAccepted());
    mvc.perform(as("alice", post("/api/rollouts/taken-over/approve")).content("{}"))
        .andExpect(status().isServiceUnavailable()).andExpect(header().string("Retry-After", "5"));
  }

  @Test
  void anApprovalIsTakenInTheTokensNameWithItsSourceCommentAndGate() throws Exception {
    when(commands.approve(any(), any(), any(), any())).thenReturn(new ApprovalReceipt("canary", "APPROVED", 1, 1, "quorum reached"));
    mvc.perform(as("alice", post("/api/rollouts/rollout-x-1/approve")).header("X-Ringmaster-Client", "cli")
        .content("{\"by\": \" alice \", \"comment\": \"lgtm\", \"gate\": \"canary\"}")).andExpect(status().isOk())
        .andExpect(jsonPath("$.message").value("quorum reached"));
    verify(commands).approve("rollout-x-1", caller("alice", "cli"), "lgtm", "canary");
    mvc.perform(as("bob", post("/api/rollouts/rollout-x-2/approve")).content("{\"comment\": \"ok\"}")).andExpect(status().isOk());
    verify(commands).approve("rollout-x-2", caller("bob", "rest"), "ok", null);
  }

  @Test
  void malformedBodiesAndUnknownRoutesAreClearErrors() throws Exception {
    mvc.perform(as("ci", post("/api/rollouts")).content("{not json")).andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error").value("request body is not valid JSON for this endpoint"));
    mvc.perform(as("ci", get("/api/nothing-here"))).andExpect(status().isNotFound()).andExpect(jsonPath("$.error").value("no such endpoint: /api/nothing-here"));
    verifyNoInteractions(commands);
  }
}
