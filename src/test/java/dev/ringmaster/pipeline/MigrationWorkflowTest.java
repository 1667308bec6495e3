package dev.ringmaster.pipeline;

import static dev.ringmaster.support.Postgres.columns;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.migration.MigrationActivities;
import dev.ringmaster.migration.MigrationActivitiesImpl;
import dev.ringmaster.migration.MigrationOutcome;
import dev.ringmaster.migration.MigrationRunner;
import dev.ringmaster.definition.RolloutDefinition.Migration;
import dev.ringmaster.migration.flyway.FlywayRunnerFactory;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.Postgres;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.TestDefinitions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rollout workflow with the real migration activities and the flyway adapter on a real PostgreSQL (zonky);
 * flags, deploys and notifications are test doubles. Shows when each migration step runs and what a rollback undoes.
 */
@Timeout(180)
class MigrationWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension temporal = TemporalTests.rolloutExtension();

  static final String DEFINITION = DefinitionBuilder.checkout().service("orders", "shop").flag("new-order-status")
      .migration("db", "classpath:migrations/orders/expand", "classpath:migrations/orders/contract", "classpath:migrations/orders/undo")
      .ring("internal", "{ tenants: [acme-internal] }", "1h")
      .ring("everyone", "{ percent: 100 }", "1h", "{ approvers: [alice], quorum: 1, timeout: 4h, onTimeout: rollback }")
      .contractApproval("{ approvers: [carol], quorum: 1, timeout: 72h, onTimeout: hold }").yaml();

  /** The fakes, except that migrations go through the real activities (and are recorded, attempt by attempt). */
  static final class WithRealMigrations extends FakeActivities {
    MigrationActivities real;

    @Override
    public void checkExpandSafety(String rolloutId, Migration step) {
      real.checkExpandSafety(rolloutId, step);
    }

    @Override
    public MigrationOutcome expandSchema(String rolloutId, Migration step) {
      calls.add("ExpandSchema");
      return real.expandSchema(rolloutId, step);
    }

    @Override
    public MigrationOutcome undoExpand(String rolloutId, Migration step) {
      calls.add("UndoExpand");
      return real.undoExpand(rolloutId, step);
    }

    @Override
    public MigrationOutcome contractSchema(String rolloutId, Migration step) {
      calls.add("ContractSchema");
      return real.contractSchema(rolloutId, step);
    }
  }

  private final WithRealMigrations activities = new WithRealMigrations();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private Worker worker;
  private DataSource db;
  private String url;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    this.env = env;
    this.client = client;
    this.worker = worker;
    String database = Postgres.newDatabase();
    db = Postgres.dataSource(database);
    url = Postgres.url(database);
    Postgres.execute(db, "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, status text NOT NULL)",
        "INSERT INTO orders VALUES (1, 'ada', 'open')");
    worker.registerActivitiesImplementations(activities, activities.analysis);
    env.start();
  }

  private void database(Map<String, String> settings) {
    ConnectionRegistry registry = new ConnectionRegistry(Map.of("db", settings));
    activities.real = new MigrationActivitiesImpl(new Adapters<MigrationRunner>("migration", registry, List.of(new FlywayRunnerFactory())));
  }

  private RolloutWorkflow start(String yaml, String version) {
    return TestRollouts.start(client, worker, TestDefinitions.request(yaml, version, "dave"));
  }

  private RolloutStatus awaitStatus(RolloutWorkflow wf, Predicate<RolloutStatus> condition, String what) {
    return TestRollouts.awaitStatus(env, wf, condition, what);
  }

  @Test
  void contractRunsOnlyAfterTheLastRingAndItsApprovalThenThePointOfNoReturnIsRecorded() {
    database(Map.of("kind", "flyway", "url", url, "username", "postgres"));
    RolloutWorkflow wf = start(DEFINITION, "2.0.0");

    RolloutStatus lastRing = awaitStatus(wf, s -> "everyone".equals(s.awaiting()), "approval of the last ring");
    assertThat(lastRing.pastPointOfNoReturn()).isFalse();
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status", "status_code");
    assertThat(activities.changes()).doesNotContain("ContractSchema");
    wf.approve(Decision.of("alice", "ring looks good", "rest"));

    awaitStatus(wf, s -> "contract".equals(s.awaiting()), "approval of the contract");
    assertThat(columns(db, "orders")).as("nothing contracted before the contract approval").contains("status");
    assertThat(activities.changes()).doesNotContain("ContractSchema");
    wf.approve(Decision.of("carol", "drop it", "rest"));

    RolloutResult r = TestRollouts.result(wf);
    assertThat(r.state()).isEqualTo(State.SUCCEEDED);
    assertThat(r.status().pastPointOfNoReturn()).isTrue();
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status_code");
    assertThat(activities.changes()).containsExactly(
        "ExpandSchema",
        "DeployVersion 2.0.0",
        "EnableRing internal tenants [acme-internal]",
        "EnableRing everyone tenants [acme-internal] + 100%",
        "ContractSchema",
        "RetireFlag");
  }

  @Test
  void aDestructiveExpandIsRefusedAtTheStartWithFileAndLineBeforeAnythingIsApplied() {
    database(Map.of("kind", "flyway", "url", url, "username", "postgres"));
    RolloutWorkflow wf = start(DEFINITION.replace("orders/expand", "orders/destructive"), "2.0.0");

    RolloutResult r = TestRollouts.result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).isEqualTo("CheckExpandSafety failed: expand location classpath:migrations/orders/destructive is not safe to roll out:\n"
        + "  V1__rename.sql line 2: RENAME: the running version still uses the old name: ALTER TABLE orders RENAME COLUMN status TO state\n"
        + "Move destructive statements to the contract location; give every expand script its undo script.");
    assertThat(activities.changes()).isEmpty();
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status");
  }

  @Test
  void aRejectedRolloutUndoesItsExpandAfterTheFlagAndTheDeploy() {
    database(Map.of("kind", "flyway", "url", url, "username", "postgres"));
    RolloutWorkflow wf = start(DEFINITION, "2.0.0");
    awaitStatus(wf, s -> "everyone".equals(s.awaiting()), "approval of the last ring");
    assertThat(columns(db, "order_events")).isNotEmpty();
    wf.reject(Decision.of("alice", "not today", "rest"));

    RolloutResult r = TestRollouts.result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(columns(db, "orders")).containsExactly("id", "customer", "status");
    assertThat(columns(db, "order_events")).isEmpty();
    assertThat(r.status().rollbackSteps()).last().asString()
        .startsWith("UndoExpand: applied [V2 undone by U2__drop_order_events.sql, V1 undone by U1__drop_status_code.sql] in ");
    List<String> changes = activities.changes();
    assertThat(changes.subList(changes.indexOf("KillSwitch"), changes.size()))
        .containsExactly("KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1", "UndoExpand");
  }

  @Test
  void anUnreachableDatabaseIsRetriedWithBackoffThenTheRolloutCompensates() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    database(Map.of("kind", "flyway", "url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/orders", "username", "postgres"));
    RolloutWorkflow wf = start(DEFINITION.replace("    undo: classpath:migrations/orders/undo\n", ""), "2.0.0");

    RolloutResult r = TestRollouts.result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).as("five attempts (StepPolicies.migration), nothing deployed").containsExactly(
        "ExpandSchema", "ExpandSchema", "ExpandSchema", "ExpandSchema", "ExpandSchema");
    assertThat(r.status().rollbackReason()).startsWith("ExpandSchema failed: connection 'db' (jdbc:postgresql://127.0.0.1:" + closedPort
        + "/orders as postgres), migrating classpath:migrations/orders/expand: database unreachable or busy (SQLState 08001), will be retried");
    assertThat(r.status().rollbackSteps()).containsExactly(
        "expanded schema kept: the definition has no undo (the expanded schema is compatible with the previous version)");
    // Only the last attempt is written to the history: attempt 5, started after the backoffs 5 + 10 + 20 + 40 s.
    var events = client.fetchHistory(WorkflowStub.fromTyped(wf).getExecution().getWorkflowId()).getEvents();
    var scheduled = events.stream().filter(e -> e.hasActivityTaskScheduledEventAttributes()
        && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("ExpandSchema")).findFirst().orElseThrow();
    var started = events.stream().filter(e -> e.hasActivityTaskStartedEventAttributes()
        && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduled.getEventId()).findFirst().orElseThrow();
    assertThat(started.getActivityTaskStartedEventAttributes().getAttempt()).isEqualTo(5);
    assertThat(started.getEventTime().getSeconds() - scheduled.getEventTime().getSeconds()).isGreaterThanOrEqualTo(75);
  }

  @Test
  void aWrongPasswordFailsFastWithoutRetriesAndTheHistoryNeverHoldsThePassword() {
    Postgres.execute(db, "ALTER TABLE orders OWNER TO " + Postgres.APP_USER);
    database(Map.of("kind", "flyway", "url", url, "username", Postgres.APP_USER, "password-env", "RINGMASTER_TEST_DB_WRONG_PASSWORD"));
    RolloutWorkflow wf = start(DEFINITION, "2.0.0");

    RolloutResult r = TestRollouts.result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).as("one attempt, and no undo: nothing was applied")
        .containsExactly("ExpandSchema");
    assertThat(r.status().rollbackReason()).contains("ExpandSchema failed: connection 'db'")
        .contains("the database refused the credentials (SQLState 28P01)");
    assertThat(r.status().rollbackSteps()).last().isEqualTo("no undo needed: the expand could not begin, so it applied nothing");
    String history = client.fetchHistory(WorkflowStub.fromTyped(wf).getExecution().getWorkflowId()).toString();
    assertThat(history).contains("28P01").doesNotContain(System.getenv("RINGMASTER_TEST_DB_WRONG_PASSWORD"));
  }
}
