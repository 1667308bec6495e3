package dev.ringmaster.config;

import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.analysis.SoakClock;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.definition.ConnectionCatalog;
import dev.ringmaster.definition.DefinitionLoader;
import dev.ringmaster.definition.DefinitionValidator;
import dev.ringmaster.deploy.Deployer;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.migration.MigrationRunner;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One {@link Adapters} selection point per port, fed by every adapter factory bean of that port. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RingmasterProperties.class)
class AdaptersConfig {

  @Bean
  ConnectionRegistry connectionRegistry(RingmasterProperties props) {
    return new ConnectionRegistry(props.connections());
  }

  @Bean
  Adapters<FlagProvider> flagProviders(ConnectionRegistry c, List<AdapterFactory<FlagProvider>> f) {
    return new Adapters<>("flags", c, f);
  }

  @Bean
  Adapters<Deployer> deployers(ConnectionRegistry c, List<AdapterFactory<Deployer>> f) {
    return new Adapters<>("deploy", c, f);
  }

  @Bean
  Adapters<MetricSource> metricSources(ConnectionRegistry c, Optional<List<AdapterFactory<MetricSource>>> f) {
    return new Adapters<>("analysis", c, f.orElse(List.of()));
  }

  @Bean
  Adapters<MigrationRunner> migrationRunners(ConnectionRegistry c, Optional<List<AdapterFactory<MigrationRunner>>> f) {
    return new Adapters<>("migration", c, f.orElse(List.of()));
  }

  @Bean
  ConnectionCatalog connectionCatalog(ConnectionRegistry registry, Adapters<FlagProvider> flags, Adapters<Deployer> deploy,
      Adapters<MetricSource> analysis, Adapters<MigrationRunner> migration) {
    Map<ConnectionCatalog.Port, Set<String>> kinds = Map.of(
        ConnectionCatalog.Port.FLAGS, flags.kinds(),
        ConnectionCatalog.Port.DEPLOY, deploy.kinds(),
        ConnectionCatalog.Port.ANALYSIS, analysis.kinds(),
        ConnectionCatalog.Port.MIGRATION, migration.kinds());
    return new ConnectionCatalog() {
      @Override
      public Optional<String> kindOf(String name) {
        return registry.find(name).map(dev.ringmaster.connection.Connection::kind);
      }

      @Override
      public Set<String> names() {
        return registry.names();
      }

      @Override
      public Set<String> kindsFor(Port port) {
        return kinds.get(port);
      }

      @Override
      public Optional<String> scopeRefusal(String name, String service, String domain) {
        return registry.find(name).flatMap(c -> c.scope().refusal(service, domain));
      }

      @Override
      public Map<String, String> targetProblems(String name, Map<String, String> target) {
        return registry.find(name).map(c -> c.scope().targetProblems(target)).orElse(Map.of());
      }
    };
  }

  @Bean
  DefinitionLoader definitionLoader(ConnectionCatalog catalog, RingmasterProperties props) {
    return new DefinitionLoader(new DefinitionValidator(catalog, props.minSoakWithMigration()));
  }

  @Bean
  SoakClock soakClock() {
    return SoakClock.SYSTEM;
  }
}
