import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { childEnvironment, collect, parseLogLines, repositoryRoot, runNode } from "./support/child-process.ts";
import { connectClient, createTestDatabase, dropTestDatabase } from "./support/database.ts";
import { findFreePort } from "./support/free-port.ts";
import { killIfRunning, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { createSettingsEnvironment, createTestSettings } from "./support/settings.ts";

// Builds with `npm run build -w app` into a folder laid out like the image's
// WORKDIR (dist/, migrations/, configuration/, no node_modules) and runs the
// bundles from there.
describe("bundled service", () => {
  const postgres = inject("postgres");
  let workdir: string;
  let databaseName: string;
  let variables: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    // Under /tmp, so no node_modules folder of the repository is reachable.
    workdir = await mkdtemp("/tmp/newsletter-bundle-");
    const build = await collect(
      spawn("npm", ["run", "build", "-w", "app", "--", `--outdir=${path.join(workdir, "dist")}`], {
        cwd: repositoryRoot,
        env: childEnvironment({}),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    if (build.code !== 0) {
      throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    await cp(path.join(repositoryRoot, "app", "migrations"), path.join(workdir, "migrations"), { recursive: true });
    await cp(path.join(repositoryRoot, "configuration"), path.join(workdir, "configuration"), { recursive: true });

    databaseName = await createTestDatabase(postgres);
    const port = await findFreePort();
    variables = createSettingsEnvironment(createTestSettings(postgres, databaseName, { application: { port } }));
  });

  afterAll(async () => {
    killIfRunning(server?.process);
    await dropTestDatabase(postgres, databaseName);
    await rm(workdir, { recursive: true, force: true });
  });

  it("writes only server.js and migrate.js", async () => {
    expect((await readdir(path.join(workdir, "dist"))).sort()).toEqual(["migrate.js", "server.js"]);
  });

  it("applies migrations with dist/migrate.js", async () => {
    const result = await runNode(["dist/migrate.js"], variables, workdir);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const applied = parseLogLines(result.stdout).map((line) => line.migration);
    expect(applied).toContain("0001_create_subscriptions.sql");
  });

  it("serves subscriptions with dist/server.js and stops on SIGTERM", async () => {
    server = await startServerProcess("dist/server.js", variables, workdir);
    const baseUrl = `http://127.0.0.1:${variables.APP_APPLICATION__PORT}`;

    const health = await fetch(`${baseUrl}/health_check`);
    const subscription = await fetch(`${baseUrl}/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=Ada&email=ada%40example.com",
    });
    server.process.kill("SIGTERM");
    const exit = await server.result;

    expect(health.status).toBe(200);
    expect(subscription.status).toBe(200);
    expect(exit.code).toBe(0);
    const db = connectClient(postgres, databaseName);
    await db.connect();
    const rows = await db.query("SELECT email FROM subscriptions");
    await db.end();
    expect(rows.rows).toEqual([{ email: "ada@example.com" }]);
  });
});
