import { z } from "zod";

// The parts of an App Platform spec (the digitalocean provider's App `spec` input, in its
// camelCase names) that this check carries out. Components are strict objects: a field the
// check does not carry out fails the parse, so no part of a component is silently skipped.

export const EnvVar = z.strictObject({
  key: z.string().min(1),
  value: z.string(),
  // App Platform's defaults when unset.
  scope: z.enum(["RUN_TIME", "BUILD_TIME", "RUN_AND_BUILD_TIME"]).default("RUN_AND_BUILD_TIME"),
  type: z.enum(["GENERAL", "SECRET"]).default("GENERAL"),
});

const DocrImage = z.strictObject({
  registryType: z.literal("DOCR", "must be DOCR: the check pushes to a loopback registry in place of DOCR"),
  repository: z.string().min(1),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be a sha256 digest, because the check deploys by digest"),
});

// Not carried out: the local engine runs one container of each component, without size limits.
const sizing = {
  instanceSizeSlug: z.string().optional(),
  instanceCount: z.number().int().min(1).optional(),
};

export const ServiceSpec = z.strictObject({
  name: z.string().min(1),
  image: DocrImage,
  httpPort: z.number().int().min(1).max(65_535),
  healthCheck: z.strictObject({
    httpPath: z.string().startsWith("/"),
    // The port App Platform probes, httpPort when unset.
    port: z.number().int().min(1).max(65_535).optional(),
  }),
  runCommand: z.string().optional(),
  envs: z.array(EnvVar).default([]),
  ...sizing,
});

export const JobSpec = z.strictObject({
  name: z.string().min(1),
  kind: z.literal("PRE_DEPLOY", "must be PRE_DEPLOY: the check runs only the jobs that gate a deployment"),
  image: DocrImage,
  runCommand: z.string().optional(),
  envs: z.array(EnvVar).default([]),
  ...sizing,
});

export const DatabaseSpec = z.strictObject({
  name: z.string().min(1),
  engine: z.literal("PG", "must be PG: the check starts PostgreSQL"),
  production: z.literal(true, "must be true (an existing managed cluster): the check does not stand in for a dev database"),
  clusterName: z.string().min(1),
  dbName: z.string().min(1),
  // Unset binds the cluster's admin.
  dbUser: z.string().min(1).optional(),
});

// Top-level fields the check does not carry out (region, ingress, alerts, domains) pass through.
export const AppSpec = z.object({
  name: z.string().min(1),
  services: z.array(ServiceSpec).length(1, "must contain exactly one service: the check runs and probes one"),
  jobs: z.array(JobSpec).default([]),
  databases: z
    .array(DatabaseSpec)
    .min(1, "must attach a database: the check starts one PostgreSQL server for it")
    .refine((databases) => new Set(databases.map((database) => database.clusterName)).size === 1, {
      error: "must attach one cluster only, under any number of components: the check starts one PostgreSQL server",
    })
    .refine((databases) => new Set(databases.map((database) => database.name)).size === databases.length, {
      error: "must give each database component its own name, because its bindable variables start with it",
    }),
});

export type EnvVar = z.infer<typeof EnvVar>;
export type ServiceSpec = z.infer<typeof ServiceSpec>;
export type JobSpec = z.infer<typeof JobSpec>;
export type DatabaseSpec = z.infer<typeof DatabaseSpec>;
export type AppSpec = z.infer<typeof AppSpec>;

// Parses the App resource's spec, or fails with every problem and the file to extend.
export function parseAppSpec(appName: string, spec: unknown): AppSpec {
  const result = AppSpec.safeParse(spec);
  if (!result.success) {
    throw new Error(
      `The spec of ${appName} declares what the App Platform check cannot carry out:\n${z.prettifyError(result.error)}\nCarry it out in e2e/app-platform/ and list it in e2e/app-platform/app-spec.ts.`,
    );
  }
  return result.data;
}

// App Platform documents run_command as one command line but not how it splits one. Plain
// words split the same way by any rule, so only those are accepted.
export function splitRunCommand(componentName: string, runCommand: string): string[] {
  if (/["'`\\$;&|<>(){}*?~#\n]/.test(runCommand)) {
    throw new Error(
      `${componentName}: runCommand ${JSON.stringify(runCommand)} contains quotes, variables or shell operators, which the check cannot split as App Platform would. Use plain words, or add the splitting rule to e2e/app-platform/app-spec.ts.`,
    );
  }
  return runCommand.trim().split(/\s+/);
}
