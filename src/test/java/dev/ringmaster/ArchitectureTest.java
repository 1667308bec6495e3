package dev.ringmaster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.temporal.activity.ActivityInterface;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Set;

/**
 * The workflow package stays deterministic and free of I/O, by an allow-list: it may use the definition, the
 * activity interfaces and the records they exchange, Temporal's workflow API, and plain java.lang / java.util /
 * java.time values — and nothing else: no Spring, no adapter, no file or network access, no threads, no clock,
 * no randomness. Anything new it needs must be added here on purpose.
 */
@AnalyzeClasses(packages = "dev.ringmaster", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  /** The packages whose activity interfaces, records and enums workflow code may use (not their sub-packages: adapters). */
  static final Set<String> ACTIVITY_PACKAGES = Set.of("dev.ringmaster.analysis", "dev.ringmaster.deploy", "dev.ringmaster.flags",
      "dev.ringmaster.migration", "dev.ringmaster.notify");
  static final Set<String> BANNED_JAVA_LANG = Set.of("java.lang.Thread", "java.lang.ThreadLocal", "java.lang.Runtime", "java.lang.System",
      "java.lang.Process", "java.lang.ProcessBuilder", "java.lang.ClassLoader");

  static final DescribedPredicate<JavaClass> ACTIVITY_CONTRACTS = DescribedPredicate.describe(
      "activity interfaces and the records/enums they exchange",
      c -> ACTIVITY_PACKAGES.contains(c.getPackageName()) && (c.isRecord() || c.isEnum() || c.isAnnotatedWith(ActivityInterface.class)));

  static final DescribedPredicate<JavaClass> PLAIN_JAVA = DescribedPredicate.describe(
      "plain java.lang / java.util / java.time values (no threads, no System, no Random)",
      c -> (c.getPackageName().equals("java.lang") && !BANNED_JAVA_LANG.contains(c.getName()))
          || c.getPackageName().equals("java.lang.runtime") || c.getPackageName().equals("java.lang.invoke")
          || (c.getPackageName().equals("java.util") && !c.getName().equals("java.util.Random") && !c.getName().equals("java.util.UUID")
              && !c.getName().equals("java.util.Timer"))
          || c.getPackageName().startsWith("java.util.function") || c.getPackageName().startsWith("java.util.stream")
          || c.getPackageName().startsWith("java.util.regex") || c.getPackageName().equals("java.time")
          || c.getPackageName().equals("java.lang.annotation"));

  static final DescribedPredicate<JavaClass> TEMPORAL_WORKFLOW_API = DescribedPredicate.describe(
      "Temporal's workflow API",
      c -> c.getPackageName().startsWith("io.temporal.workflow") || c.getPackageName().startsWith("io.temporal.common")
          || c.getPackageName().startsWith("io.temporal.failure") || c.getName().equals("io.temporal.activity.ActivityOptions")
          || c.getName().startsWith("io.temporal.activity.ActivityOptions$")
          || c.getName().equals("io.temporal.activity.LocalActivityOptions") || c.getName().startsWith("io.temporal.activity.LocalActivityOptions$") || c.getPackageName().startsWith("io.temporal.api.enums")
          || c.getName().equals("io.temporal.spring.boot.WorkflowImpl"));

  static final DescribedPredicate<JavaClass> ALLOWED_IN_WORKFLOW_CODE = DescribedPredicate.describe(
      "are on the allow-list for workflow code",
      c -> c.getPackageName().startsWith("dev.ringmaster.pipeline") || c.getPackageName().startsWith("dev.ringmaster.definition")
          || c.getName().equals("dev.ringmaster.TaskQueues") || c.getName().equals("dev.ringmaster.connection.PermanentFailure")
          || c.getPackageName().equals("com.fasterxml.jackson.annotation")
          // the logger Workflow.getLogger hands out: it writes nothing while a history replays
          || c.getName().equals("org.slf4j.Logger")
          || c.isArray() && c.getBaseComponentType().getName().startsWith("dev.ringmaster")
          || ACTIVITY_CONTRACTS.test(c) || PLAIN_JAVA.test(c) || TEMPORAL_WORKFLOW_API.test(c)
          || c.isPrimitive() || c.isArray() && (c.getBaseComponentType().isPrimitive() || PLAIN_JAVA.test(c.getBaseComponentType())
              || TEMPORAL_WORKFLOW_API.test(c.getBaseComponentType())));

  @ArchTest
  static final ArchRule workflowCodeUsesOnlyTheAllowList = classes().that().resideInAPackage("dev.ringmaster.pipeline..")
      .should().onlyDependOnClassesThat(ALLOWED_IN_WORKFLOW_CODE)
      .because("workflow code must be deterministic and replayable; I/O belongs in activities");

  @ArchTest
  static final ArchRule workflowCodeReadsNoClock = noClasses().that().resideInAPackage("dev.ringmaster.pipeline..")
      .should().callMethod(Instant.class, "now").orShould().callMethod(LocalDate.class, "now")
      .orShould().callMethod(LocalDateTime.class, "now").orShould().callMethod(Math.class, "random")
      .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
      .because("time and randomness in workflow code come from Workflow.currentTimeMillis / Workflow.newRandom");

  @ArchTest
  static final ArchRule adaptersAreReachedOnlyThroughTheirPort = noClasses().that().resideOutsideOfPackages(
          "dev.ringmaster.flags.flagdfile..", "dev.ringmaster.deploy.command..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.ringmaster.flags.flagdfile..", "dev.ringmaster.deploy.command..");

  @ArchTest
  static final ArchRule activitiesAndAdaptersDoNotReachUpIntoTheWorkflowOrTheApi = noClasses().that().resideInAnyPackage(
          "dev.ringmaster.analysis..", "dev.ringmaster.deploy..", "dev.ringmaster.flags..", "dev.ringmaster.migration..",
          "dev.ringmaster.notify..", "dev.ringmaster.slack..", "dev.ringmaster.connection..")
      .and().doNotHaveSimpleName("SlackController")
      .should().dependOnClassesThat().resideInAnyPackage("dev.ringmaster.pipeline..", "dev.ringmaster.api..", "dev.ringmaster.config..");
}
