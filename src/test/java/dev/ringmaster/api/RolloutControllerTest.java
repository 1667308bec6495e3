package dev.ringmaster.api;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.ringmaster.PublicUrl;
import dev.ringmaster.config.RingmasterProperties;
import dev.ringmaster.pipeline.ApprovalReceipt;
import dev.ringmaster.pipeline.Operation;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.rollouts.Caller;
import dev.ringmaster.rollouts.CommandRefused;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import dev.ringmaster.rollouts.RolloutCommands;
import dev.ringmaster.rollouts.StartRequest;
import dev.ringmaster.rollouts.Started;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The REST layer alone: request bodies to commands, refusals to statuses and {@code {error, details}}; commands are mocked. */
// No Temporal in a slice: no dev server is started (mode external, and nothing connects).
@WebMvcTest(controllers = RolloutController.class, properties = "ringmaster.temporal.mode=external")
@Import({CallerIdentity.class, PublicUrl.class, RolloutControllerTest.Properties.class})
class RolloutControllerTest {
  @TestConfiguration
  @EnableConfigurationProperties(RingmasterProperties.class)
  static class Properties {}

  @Autowired MockMvc mvc;
  @MockitoBean RolloutCommands commands;

  @Test
  void aStartAnswers201WithTheStatusUrlAndARetriedStart200() throws Exception {
    when(commands.start(any(), eq(Caller.of("ci", "rest")))).thenReturn(new Started("rollout-x-1.0.0", true, State.RUNNING),
        new Started("rollout-x-1.0.0", false, State.RUNNING));
    String body = "{\"definitionPath\": \"workflows/x.yaml\", \"version\": \"1.0.0\", \"triggeredBy\": \"ci\"}";
    mvc.perform(post("/api/rollouts").contentType(MediaType.APPLICATION_JSON).content(body)).andExpect(status().isCreated())
        .andExpect(jsonPath("$.id").value("rollout-x-1.0.0")).andExpect(jsonPath("$.state").value("RUNNING"))
        .andExpect(jsonPath("$.statusUrl").value("http://127.0.0.1:8080/api/rollouts/rollout-x-1.0.0"));
    mvc.perform(post("/api/rollouts").contentType(MediaType.APPLICATION_JSON).content(body)).andExpect(status().isOk());
    verify(commands, org.mockito.Mockito.times(2)).start(eq(new StartRequest(null, "workflows/x.yaml", "1.0.0", null, null)), any());
  }

  @Test
  void aCallerWhoDoesNotSayWhoTheyAreIsRefusedAndNothingIsCommanded() throws Exception {
    mvc.perform(post("/api/rollouts").contentType(MediaType.APPLICATION_JSON).content("{\"definitionPath\": \"workflows/x.yaml\", \"version\": \"1\"}"))
        .andExpect(status().isBadRequest()).andExpect(jsonPath("$.error").value("'triggeredBy' is required: say who you are"));
    mvc.perform(post("/api/rollouts/rollout-x-1/abort").contentType(MediaType.APPLICATION_JSON).content("{}"))
        .andExpect(status().isBadRequest()).andExpect(jsonPath("$.error").value("'by' is required: say who you are"));
    verifyNoInteractions(commands);
  }

  @Test
  void eachRefusalReasonHasItsStatusAndKeepsItsDetails() throws Exception {
    String by = "{\"by\": \"alice\"}";
    when(commands.approve(eq("forbidden"), any(), any(), any())).thenThrow(new CommandRefused(Reason.FORBIDDEN, "alice is not an approver", List.of("NotAnApprover")));
    when(commands.approve(eq("gone"), any(), any(), any())).thenThrow(new CommandRefused(Reason.NOT_FOUND, "no rollout with id 'gone'"));
    when(commands.operate(eq("ended"), eq(Operation.RESUME), any(), any())).thenThrow(new CommandRefused(Reason.CONFLICT, "not applicable"));
    when(commands.start(any(), any())).thenThrow(new CommandRefused(Reason.PENDING, "accepted but has not started yet"));
    mvc.perform(post("/api/rollouts/forbidden/approve").contentType(MediaType.APPLICATION_JSON).content(by))
        .andExpect(status().isForbidden()).andExpect(jsonPath("$.details[0]").value("NotAnApprover"));
    mvc.perform(post("/api/rollouts/gone/approve").contentType(MediaType.APPLICATION_JSON).content(by)).andExpect(status().isNotFound());
    mvc.perform(post("/api/rollouts/ended/resume").contentType(MediaType.APPLICATION_JSON).content(by)).andExpect(status().isConflict());
    mvc.perform(post("/api/rollouts").contentType(MediaType.APPLICATION_JSON).content("{\"triggeredBy\": \"ci\"}")).andExpect(status().isAccepted());
  }

  @Test
  void anApprovalIsTakenInTheCallersNameWithItsCommentAndGate() throws Exception {
    when(commands.approve(any(), any(), any(), any())).thenReturn(new ApprovalReceipt("canary", "APPROVED", 1, 1, "quorum reached"));
    mvc.perform(post("/api/rollouts/rollout-x-1/approve").contentType(MediaType.APPLICATION_JSON)
        .content("{\"by\": \" alice \", \"comment\": \"lgtm\", \"gate\": \"canary\"}")).andExpect(status().isOk())
        .andExpect(jsonPath("$.message").value("quorum reached"));
    verify(commands).approve("rollout-x-1", Caller.of("alice", "rest"), "lgtm", "canary");
  }

  @Test
  void malformedBodiesAndUnknownRoutesAreClearErrors() throws Exception {
    mvc.perform(post("/api/rollouts").contentType(MediaType.APPLICATION_JSON).content("{not json")).andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error").value("request body is not valid JSON for this endpoint"));
    mvc.perform(get("/api/nothing-here")).andExpect(status().isNotFound()).andExpect(jsonPath("$.error").value("no such endpoint: /api/nothing-here"));
    verifyNoInteractions(commands);
  }
}
