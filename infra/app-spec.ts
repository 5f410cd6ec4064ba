import type * as digitalocean from "@pulumi/digitalocean";
import type * as pulumi from "@pulumi/pulumi";

// The App Platform component name of the attached cluster. Its bindable variables start with it.
export const databaseComponentName = "db";
export const serviceComponentName = "api";
export const migrationJobName = "migrate";
export const migrationCommand = "node dist/migrate.js";

interface ServiceVariable {
  key: string;
  // A plain value, or a bindable reference that App Platform replaces when it deploys.
  value: string;
  // A value of the form the reference takes at deploy time, used to check the settings before
  // deploying. Absent for the user and database names, because App Platform binds them to the
  // DatabaseUser and DatabaseDb, which the program names after configuration/.
  standIn?: string;
}

// The variables of the service and of the migration job. No secret appears in the spec: the
// password is a reference, so the spec is the same on every run.
export const serviceVariables: readonly ServiceVariable[] = [
  { key: "APP_ENVIRONMENT", value: "production", standIn: "production" },
  { key: "APP_DATABASE__HOST", value: "${db.HOSTNAME}", standIn: "zero2prod-db-do-user-0.db.ondigitalocean.com" },
  { key: "APP_DATABASE__PORT", value: "${db.PORT}", standIn: "25060" },
  { key: "APP_DATABASE__USERNAME", value: "${db.USERNAME}" },
  { key: "APP_DATABASE__PASSWORD", value: "${db.PASSWORD}", standIn: "password-stand-in" },
  { key: "APP_DATABASE__DATABASE_NAME", value: "${db.DATABASE}" },
  {
    key: "APP_DATABASE__CA_CERTIFICATE",
    value: "${db.CA_CERT}",
    standIn: "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----",
  },
];

// Returns the variables as the service will see them, stand-ins in place of the references.
export function standInVariables(): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const { key, standIn } of serviceVariables) {
    if (standIn !== undefined) {
      variables[key] = standIn;
    }
  }
  return variables;
}

export interface AppSpecArgs {
  name: string;
  // An App Platform region slug such as fra.
  region: string;
  // The repository inside the account's DOCR registry and the pushed image's digest.
  repository: string;
  digest: pulumi.Input<string>;
  httpPort: number;
  healthCheckPath: string;
  instanceSize: string;
  instanceCount: number;
  clusterName: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  databaseUser: pulumi.Input<string>;
  domain?: string;
}

// Builds the App Platform spec: the service and its pre-deploy migration job, both from the
// same image by digest, with the managed cluster attached as the `db` component.
export function buildAppSpec(args: AppSpecArgs): digitalocean.types.input.AppSpec {
  const image = { registryType: "DOCR", repository: args.repository, digest: args.digest };
  const envs = serviceVariables.map(({ key, value }) => ({ key, value, scope: "RUN_TIME", type: "GENERAL" }));

  return {
    name: args.name,
    region: args.region,
    services: [
      {
        name: serviceComponentName,
        image,
        httpPort: args.httpPort,
        healthCheck: { httpPath: args.healthCheckPath, port: args.httpPort },
        instanceSizeSlug: args.instanceSize,
        instanceCount: args.instanceCount,
        envs,
      },
    ],
    jobs: [
      {
        name: migrationJobName,
        kind: "PRE_DEPLOY",
        image,
        runCommand: migrationCommand,
        instanceSizeSlug: args.instanceSize,
        instanceCount: 1,
        envs,
      },
    ],
    databases: [
      {
        name: databaseComponentName,
        engine: "PG",
        production: true,
        clusterName: args.clusterName,
        dbName: args.databaseName,
        dbUser: args.databaseUser,
      },
    ],
    ingress: {
      rules: [{ component: { name: serviceComponentName }, match: { path: { prefix: "/" } } }],
    },
    domainNames: args.domain === undefined ? undefined : [{ name: args.domain, type: "PRIMARY" }],
    alerts: [{ rule: "DEPLOYMENT_FAILED" }, ...(args.domain === undefined ? [] : [{ rule: "DOMAIN_FAILED" }])],
  };
}
