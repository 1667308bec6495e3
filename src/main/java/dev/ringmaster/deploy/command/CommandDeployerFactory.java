package dev.ringmaster.deploy.command;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.deploy.Deployer;
import org.springframework.stereotype.Component;

/**
 * {@code kind: command}: settings {@code deploy} (required, {@code {version}} substituted), {@code current-version}
 * (required), {@code rollback} (defaults to deploy), {@code workdir} (default .), {@code timeout} (default 10m).
 */
@Component
class CommandDeployerFactory implements AdapterFactory<Deployer> {
  @Override
  public String kind() {
    return "command";
  }

  @Override
  public Deployer create(Connection c) {
    return new CommandDeployer(c);
  }
}
