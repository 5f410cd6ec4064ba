import * as pulumi from "@pulumi/pulumi";
import { ConfigurationError, loadSettings } from "../app/src/configuration/load.ts";
import type { Environment, Settings } from "../app/src/configuration/settings.ts";
import { configurationDirectory } from "./paths.ts";

// Loads configuration/ exactly as the service will when it starts with these variables, so a
// configuration the service would reject fails `pulumi preview` instead of the deployment.
export function loadServiceSettings(environment: Environment, variables: Record<string, string>): Settings {
  const env = { ...variables, APP_ENVIRONMENT: environment };
  let settings: Settings;
  try {
    settings = loadSettings({ env, directory: configurationDirectory });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) {
      throw error;
    }
    throw new pulumi.RunError(
      [
        `The service would reject its configuration on the ${pulumi.getStack()} stack (APP_ENVIRONMENT=${environment}):`,
        ...error.problems.map((problem) => `  - ${problem}`),
        `Fix configuration/base.yaml or configuration/${environment}.yaml (or, for a variable named above, the deployment in infra/), then run the command again.`,
      ].join("\n"),
    );
  }

  rejectPasswordInFiles(environment, env);
  if (environment === "production" && !settings.database.require_ssl) {
    throw new pulumi.RunError(
      "database.require_ssl is false for production, but DigitalOcean's managed PostgreSQL accepts only TLS connections: set it to true in configuration/production.yaml.",
    );
  }
  return settings;
}

// configuration/ is copied into the image, so a password written there would ship in every layer
// and registry; the deployment passes it as APP_DATABASE__PASSWORD instead.
function rejectPasswordInFiles(environment: Environment, env: Record<string, string>): void {
  const { APP_DATABASE__PASSWORD: _password, ...withoutPassword } = env;
  try {
    loadSettings({ env: withoutPassword, directory: configurationDirectory });
  } catch (error) {
    if (error instanceof ConfigurationError && error.problems.some((problem) => problem.startsWith("database.password: missing"))) {
      return;
    }
  }
  throw new pulumi.RunError(
    `database.password is set in configuration/base.yaml or configuration/${environment}.yaml, which the image contains: remove it, because the ${pulumi.getStack()} stack passes the password as APP_DATABASE__PASSWORD.`,
  );
}
