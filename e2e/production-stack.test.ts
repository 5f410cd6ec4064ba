import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { captureStack } from "../infra/testing/capture.ts";
import { AppPlatformRun } from "./app-platform/app-platform-run.ts";
import type { DatabaseSpec, JobSpec } from "./app-platform/app-spec.ts";
import { clusterVariables } from "./app-platform/bindable-variables.ts";
import { CleanupSteps } from "./app-platform/cleanup-steps.ts";
import type { RunningService } from "./app-platform/component-container.ts";
import { LoopbackRegistry } from "./app-platform/loopback-registry.ts";
import { readProductionDeclaration, resolveAppSpec } from "./app-platform/production-declaration.ts";
import { buildAndPush, copyFromImage, type PushedImage, pullByDigest } from "./app-platform/pushed-image.ts";
import { type CertificateAuthority, createCertificateAuthority } from "./app-platform/test-certificates.ts";
import { type PsqlLogin, TlsPostgres } from "./app-platform/tls-postgres.ts";
import { DockerEngine } from "./docker-engine.ts";

// Plays App Platform's part for the `production` stack on the local engine. The check builds the
// declared image and pushes it to a loopback registry in place of DOCR. It then runs the spec's
// pre-deploy job and service from that image by digest, against a PostgreSQL server that accepts
// TLS only. Ports, paths, variable names and commands all come from what the program declares.

// The folder of Pulumi.yaml, from which Pulumi resolves the build context.
const projectRoot = fileURLToPath(new URL("..", import.meta.url));
// A CA bundle that the program hands to the image build as the npm_ca secret, for machines
// whose proxy intercepts TLS; skipped when the file does not exist.
const caBundle = process.env.E2E_NPM_CA_FILE ?? "/etc/ssl/certs/ca-certificates.crt";
// DigitalOcean's port for managed PostgreSQL. It differs from the configuration's default, 5432,
// so a spec that leaves out ${db.PORT} fails.
const databasePort = 25060;
const requestTimeoutMs = 5_000;
// Sorts after every real migration. Its first statement succeeds and its second fails, so the
// job must roll back both.
const brokenMigration = {
  file: "9999_e2e_broken_migration.sql",
  sql: "CREATE TABLE e2e_broken_migration_probe (id integer);\nSELECT * FROM e2e_table_that_does_not_exist;\n",
};

const runId = `e2e-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
const engine = new DockerEngine();
const cleanup = new CleanupSteps();

let pushed: PushedImage;
let pulledImageId: string;
let run: AppPlatformRun;
let database: TlsPostgres;
// The login the service uses: the application's user on the application's database.
let login: PsqlLogin;
// The password of each user that a database component names as dbUser.
let userPasswords: Map<string, string>;
// The output of each pre-deploy job that gated the deployment.
let jobLogs: Map<string, string>;
let trustedAuthority: CertificateAuthority;
let untrustedAuthority: CertificateAuthority;
let runFolder: string;
// The image's migrations folder: its path inside the image and a copy on the host.
let migrations: { imagePath: string; copy: string };
let service: RunningService;

beforeAll(async () => {
  const stack = await captureStack("production", { extraConfig: existsSync(caBundle) ? { npmCaFile: caBundle } : {} });
  const declaration = readProductionDeclaration(stack);

  const registry = await LoopbackRegistry.connect(projectRoot);
  cleanup.add(`registry ${registry.address}`, () => registry.stopIfStarted());
  pushed = await buildAndPush(declaration.image, declaration.registryName, { engine, cleanup, registry, runId, projectRoot });
  const spec = resolveAppSpec(declaration, pushed);

  const network = `${spec.name}-${runId}`;
  cleanup.add(`network ${network}`, () => engine.remove(`/networks/${network}`));
  await engine.call("POST", "/networks/create", { Name: network, Driver: "bridge", CheckDuplicate: true });
  run = new AppPlatformRun(spec, { engine, cleanup, registryAddress: registry.address, network, runId });
  pulledImageId = await pullByDigest(engine, cleanup, run.imageOf(run.service));
  for (const reference of new Set(spec.jobs.map((job) => run.imageOf(job)))) {
    if (reference !== run.imageOf(run.service)) {
      await pullByDigest(engine, cleanup, reference);
    }
  }

  runFolder = await mkdtemp(path.join(tmpdir(), "zero2prod-app-platform-"));
  cleanup.add(`folder ${runFolder}`, () => rm(runFolder, { recursive: true, force: true }));
  const copy = path.join(runFolder, "migrations-in-image");
  await mkdir(copy);
  const imagePath = await copyFromImage(engine, run.imageOf(preDeployJob()), "migrations", copy, `${spec.name}-copy-${runId}`);
  migrations = { imagePath, copy };

  trustedAuthority = await createCertificateAuthority(runFolder, "trusted-ca", `zero2prod e2e CA ${runId}`);
  untrustedAuthority = await createCertificateAuthority(runFolder, "untrusted-ca", `zero2prod e2e untrusted CA ${runId}`);
  database = await TlsPostgres.start({
    engine,
    cleanup,
    image: `postgres:${declaration.cluster.version}`,
    hostname: `${run.clusterName}-${runId}`,
    network,
    port: databasePort,
    folder: path.join(runFolder, "postgres"),
    authority: trustedAuthority,
  });
  // DigitalOcean's DatabaseUser and DatabaseDb: each user with minimal rights, each database
  // owned by the admin. Nothing else is granted, so the pre-deploy job has to do the rest.
  userPasswords = new Map();
  for (const user of new Set(spec.databases.flatMap((component) => component.dbUser ?? []))) {
    const password = randomBytes(18).toString("hex");
    await database.createUser({ username: user, password });
    userPasswords.set(user, password);
  }
  for (const name of new Set(spec.databases.map((component) => component.dbName))) {
    await database.createDatabase(name);
  }
  const appDatabase = applicationDatabase();
  login = { user: appDatabase.dbUser, database: appDatabase.dbName, password: userPasswords.get(appDatabase.dbUser) ?? "" };

  // App Platform runs every pre-deploy job to completion and deploys only when all exit 0.
  jobLogs = new Map();
  for (const job of spec.jobs) {
    const result = await run.runJob(job, variablesSignedBy(trustedAuthority));
    if (result.exitCode !== 0) {
      throw new Error(`Pre-deploy job ${job.name} exited with code ${result.exitCode}, so App Platform would stop the deployment. Its output:\n${result.logs}`);
    }
    jobLogs.set(job.name, result.logs);
  }
  service = await run.startService(variablesSignedBy(trustedAuthority));
});

afterAll(async () => {
  await cleanup.runAll();
});

describe("production stack on App Platform", () => {
  test("spec image is the pushed digest", () => {
    expect(run.service.image.digest).toBe(pushed.digest);
    expect(preDeployJob().image.digest).toBe(pushed.digest);
    expect(pulledImageId).toBe(pushed.built.id);
  });

  test("pre-deploy job applies every migration", async () => {
    const inImage = (await readdir(migrations.copy)).filter((file) => file.endsWith(".sql")).sort();

    const applied = await database.queryAsSuperuser(login.database, "SELECT name FROM schema_migrations ORDER BY name;");

    expect(inImage.length).toBeGreaterThan(0);
    expect(applied.split("\n")).toEqual(inImage);
  });

  test("pre-deploy job migrates as the admin", async () => {
    const owners = await database.queryAsSuperuser(login.database, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public';");

    expect(owners).toBe(database.admin.username);
  });

  test("pre-deploy job grants the app user", () => {
    const grants = logLines(jobLogs.get(preDeployJob().name) ?? "").filter((line) => line.role !== undefined);

    expect(grants.map((line) => line.role)).toEqual([login.user]);
  });

  test("health check path returns 200", async () => {
    const { healthCheck, httpPort } = run.service;

    const response = await fetch(new URL(healthCheck.httpPath, service.urlOf(healthCheck.port ?? httpPort)), {
      signal: AbortSignal.timeout(requestTimeoutMs),
    });

    expect(response.status, `GET ${healthCheck.httpPath}`).toBe(200);
  });

  test("subscription is stored over verified TLS", async () => {
    const email = `stored-${runId}@example.com`;

    const response = await subscribe(service, "Ursula Le Guin", email);

    expect(response.status).toBe(200);
    expect(await database.queryOverTcp(login, "SELECT name FROM subscriptions WHERE email = :'email';", { email })).toBe("Ursula Le Guin");
  });

  test("service connects as the app user", async () => {
    await subscribe(service, "N. K. Jemisin", `user-${runId}@example.com`);

    const users = await database.queryAsSuperuser(
      login.database,
      "SELECT DISTINCT usename FROM pg_stat_activity WHERE host(client_addr) = :'client';",
      { client: service.ipAddress },
    );

    expect(users).toBe(login.user);
  });

  test("app user cannot create tables", async () => {
    const create = database.queryOverTcp(login, "CREATE TABLE e2e_app_user_probe (id integer);");

    await expect(create).rejects.toThrow(/permission denied for schema public/);
  });

  test("app user cannot drop the subscriptions table", async () => {
    const drop = database.queryOverTcp(login, "DROP TABLE subscriptions;");

    await expect(drop).rejects.toThrow(/must be owner of table subscriptions/);
  });

  test("service connections use TLS", async () => {
    await subscribe(service, "Octavia Butler", `connection-${runId}@example.com`);

    const flags = await database.queryAsSuperuser(
      login.database,
      "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE host(a.client_addr) = :'client' AND a.usename = :'user';",
      { client: service.ipAddress, user: login.user },
    );

    expect(flags.split("\n").filter((flag) => flag !== "").length).toBeGreaterThan(0);
    expect(new Set(flags.split("\n"))).toEqual(new Set(["t"]));
  });

  test("database rejects connections without TLS", async () => {
    await expect(database.queryOverTcp(login, "SELECT 1;", {}, "disable")).rejects.toThrow(/no encryption/);
  });

  test("failed migration exits non-zero and keeps the schema", async () => {
    const folder = path.join(runFolder, "migrations-broken");
    await cp(migrations.copy, folder, { recursive: true });
    await writeFile(path.join(folder, brokenMigration.file), brokenMigration.sql, { mode: 0o644 });
    // The job runs as the image's user, which must read the mounted folder.
    await chmod(folder, 0o755);
    const before = await schemaSnapshot();

    const result = await run.runJob(preDeployJob(), variablesSignedBy(trustedAuthority), {
      label: "broken-migration",
      mounts: { [migrations.imagePath]: folder },
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.logs).toContain(brokenMigration.file);
    expect(await schemaSnapshot()).toBe(before);
  });

  test("untrusted CA fails the pre-deploy job", async () => {
    const before = await schemaSnapshot();

    const result = await run.runJob(preDeployJob(), variablesSignedBy(untrustedAuthority), { label: "untrusted-ca" });

    expect(result.exitCode).not.toBe(0);
    expect(result.logs).toMatch(/certificate/i);
    expect(await schemaSnapshot()).toBe(before);
  });

  // The service's pool connects lazily, so the service starts and passes its liveness check.
  // The pre-deploy job above is what stops such a deployment.
  test("service with untrusted CA stores nothing", async () => {
    const untrusted = await run.startService(variablesSignedBy(untrustedAuthority), { label: "untrusted-ca" });
    const email = `untrusted-${runId}@example.com`;

    const response = await subscribe(untrusted, "Ursula Le Guin", email);

    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await database.queryAsSuperuser(login.database, "SELECT count(*) FROM subscriptions WHERE email = :'email';", { email })).toBe("0");
  });
});

// The spec's only pre-deploy job, the one that migrates.
function preDeployJob(): JobSpec {
  const jobs = run.spec.jobs;
  if (jobs.length !== 1) {
    throw new Error(`Expected one pre-deploy job in the production spec, found ${jobs.length}: ${jobs.map((job) => job.name).join(", ") || "none"}`);
  }
  return jobs[0] as JobSpec;
}

// The spec's only database component with a dbUser, the one the service connects through.
function applicationDatabase(): DatabaseSpec & { dbUser: string } {
  const withUser = run.spec.databases.filter((component): component is DatabaseSpec & { dbUser: string } => component.dbUser !== undefined);
  if (withUser.length !== 1) {
    throw new Error(
      `Expected one database component with a dbUser in the production spec, found ${withUser.length}: ${withUser.map((component) => component.name).join(", ") || "none"}`,
    );
  }
  return withUser[0] as DatabaseSpec & { dbUser: string };
}

// App Platform's bindable variables for every database component of the spec, with the server's
// real values and `authority` as ${<component>.CA_CERT}: a component's dbUser, or the admin
// when it names none.
function variablesSignedBy(authority: CertificateAuthority): Map<string, string> {
  return clusterVariables(run.spec.databases, {
    hostname: database.hostname,
    port: database.port,
    caCertificate: authority.certificate,
    admin: database.admin,
    userPasswords,
  });
}

// The JSON log lines of a component's output, skipping anything else.
function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function subscribe(target: RunningService, name: string, email: string): Promise<Response> {
  return fetch(new URL("/subscriptions", target.urlOf(run.service.httpPort)), {
    method: "POST",
    body: new URLSearchParams({ name, email }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
}

// The public schema's columns and the applied migrations, as one comparable text.
async function schemaSnapshot(): Promise<string> {
  return database.queryAsSuperuser(
    login.database,
    [
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2;",
      "SELECT name, checksum FROM schema_migrations ORDER BY name;",
    ].join("\n"),
  );
}
