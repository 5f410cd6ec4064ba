import * as pulumi from "@pulumi/pulumi";
import { ConfigurationError, loadSettings } from "../app/src/configuration/load.ts";
import type { Environment, Settings } from "../app/src/configuration/settings.ts";
import { configurationDirectory } from "./paths.ts";

// Loads configuration/ exactly as the service will when it starts with these variables, so a
// configuration the service would reject fails `pulumi preview` instead of the deployment.
export function loadServiceSettings(environment: Environment, variables: Record<string, string>): Settings {
  const env = { ...variables, APP_ENVIRONMENT: environment };
  try {
    return loadSettings({ env, directory: configurationDirectory });
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
}
