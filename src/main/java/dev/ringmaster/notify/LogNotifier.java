package dev.ringmaster.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Always on: every notification as one log line, so a local run shows progress without Slack. For a rollout with no
 * Slack channel the workflow writes that line itself, with no activity ({@code pipeline/Notifications}).
 */
@Component
class LogNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger("ringmaster.rollouts");

  @Override
  public String refPrefix() {
    return "log:";
  }

  @Override
  public boolean handles(Notification notification) {
    return true;
  }

  @Override
  public String post(Notification n, String threadRef) {
    log.info("{}", n.logLine());
    return threadRef == null ? "log:" + n.rolloutId() : threadRef;
  }
}
