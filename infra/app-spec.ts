import type * as digitalocean from "@pulumi/digitalocean";
import type * as pulumi from "@pulumi/pulumi";

// The App Platform component names of the attached cluster. Their bindable variables start
// with them: `db` binds the application's user, `db-admin` the cluster's admin.
export const databaseComponentName = "db";
export const adminDatabaseComponentName = "db-admin";
export const serviceComponentName = "api";
export const migrationJobName = "migrate";
export const migrationCommand = "node dist/migrate.js";

interface ServiceVariable {
  key: string;
  // A plain value, or a bindable reference that App Platform replaces when it deploys.
  value: string;
  // A value of the form the reference takes at deploy time, used to check the settings before
  // deploying. Absent for the user and database names, because App Platform binds them to the
  // DatabaseUser and DatabaseDb, which the program names after configuration/, or to the admin.
  standIn?: string;
}

const environmentVariable: ServiceVariable = { key: "APP_ENVIRONMENT", value: "production", standIn: "production" };

// The connection settings bound to one database component.
function connectionVariables(component: string): ServiceVariable[] {
  return [
    { key: "APP_DATABASE__HOST", value: `\${${component}.HOSTNAME}`, standIn: "zero2prod-db-do-user-0.db.ondigitalocean.com" },
    { key: "APP_DATABASE__PORT", value: `\${${component}.PORT}`, standIn: "25060" },
    { key: "APP_DATABASE__USERNAME", value: `\${${component}.USERNAME}` },
    { key: "APP_DATABASE__PASSWORD", value: `\${${component}.PASSWORD}`, standIn: "password-stand-in" },
    { key: "APP_DATABASE__DATABASE_NAME", value: `\${${component}.DATABASE}` },
    {
      key: "APP_DATABASE__CA_CERTIFICATE",
      value: `\${${component}.CA_CERT}`,
      standIn: "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----",
    },
  ];
}

// The service's variables: it connects as the application's user. No secret appears in the
// spec: the password is a reference, so the spec is the same on every run.
export const serviceVariables: readonly ServiceVariable[] = [environmentVariable, ...connectionVariables(databaseComponentName)];

// The migration job's variables: it connects as the cluster's admin, who owns the database and
// so may create tables in public on PostgreSQL 15 and later, and grants the application's user
// read and write access to them.
export const migrationJobVariables: readonly ServiceVariable[] = [
  environmentVariable,
  ...connectionVariables(adminDatabaseComponentName),
  { key: "APP_DATABASE__APPLICATION_ROLE", value: `\${${databaseComponentName}.USERNAME}` },
];

// Returns the variables as a component will see them, stand-ins in place of the references.
export function standInVariables(variables: readonly ServiceVariable[] = serviceVariables): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { key, standIn } of variables) {
    if (standIn !== undefined) {
      values[key] = standIn;
    }
  }
  return values;
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

function toEnvs(variables: readonly ServiceVariable[]): digitalocean.types.input.AppSpecServiceEnv[] {
  return variables.map(({ key, value }) => ({ key, value, scope: "RUN_TIME", type: "GENERAL" }));
}

// Builds the App Platform spec: the service and its pre-deploy migration job, both from the
// same image by digest, with the managed cluster attached twice: as `db` for the service's
// user and as `db-admin` for the job.
export function buildAppSpec(args: AppSpecArgs): digitalocean.types.input.AppSpec {
  const image = { registryType: "DOCR", repository: args.repository, digest: args.digest };

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
        envs: toEnvs(serviceVariables),
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
        envs: toEnvs(migrationJobVariables),
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
      // NOTE: not verified against a DigitalOcean account: that App Platform accepts a second
      // component on the same cluster, and that it binds the cluster's admin (doadmin) to a
      // component without dbUser.
      {
        name: adminDatabaseComponentName,
        engine: "PG",
        production: true,
        clusterName: args.clusterName,
        dbName: args.databaseName,
      },
    ],
    ingress: {
      rules: [{ component: { name: serviceComponentName }, match: { path: { prefix: "/" } } }],
    },
    domainNames: args.domain === undefined ? undefined : [{ name: args.domain, type: "PRIMARY" }],
    alerts: [{ rule: "DEPLOYMENT_FAILED" }, ...(args.domain === undefined ? [] : [{ rule: "DOMAIN_FAILED" }])],
  };
}
