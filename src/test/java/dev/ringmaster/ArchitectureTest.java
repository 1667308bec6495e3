package dev.ringmaster;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The workflow package stays deterministic: no Spring, no adapters, no activity implementations, no I/O. */
@AnalyzeClasses(packages = "dev.ringmaster", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule workflowCodeUsesNoSpringAndNoAdapters = noClasses().that().resideInAPackage("dev.ringmaster.pipeline..")
      .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dev.ringmaster.flags.flagdfile..",
          "dev.ringmaster.deploy.command..", "dev.ringmaster.api..", "dev.ringmaster.config..", "java.net..", "java.nio.file..", "java.io..")
      .because("workflow code must be deterministic and replayable; I/O belongs in activities");

  @ArchTest
  static final ArchRule workflowCodeCallsNoActivityImplementation = noClasses().that().resideInAPackage("dev.ringmaster.pipeline..")
      .should().dependOnClassesThat().haveSimpleNameEndingWith("ActivitiesImpl");

  @ArchTest
  static final ArchRule adaptersAreReachedOnlyThroughTheirPort = noClasses().that().resideOutsideOfPackages(
          "dev.ringmaster.flags.flagdfile..", "dev.ringmaster.deploy.command..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.ringmaster.flags.flagdfile..", "dev.ringmaster.deploy.command..");
}
