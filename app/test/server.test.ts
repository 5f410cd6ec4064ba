import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import type pg from "pg";
import { runNode } from "./support/child-process.ts";
import { connectClient, createMigratedDatabase, dropTestDatabase } from "./support/database.ts";
import { findFreePort } from "./support/free-port.ts";
import { killIfRunning, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { createSettingsEnvironment, createTestSettings, type SettingsOverrides } from "./support/settings.ts";
import { waitFor } from "./support/wait-for.ts";

const serverScript = "app/src/server.ts";
const validForm = "name=Ada&email=ada%40example.com";

describe("server process", () => {
  const postgres = inject("postgres");
  let databaseName: string;
  let db: pg.Client;
  let server: ServerProcess | undefined;

  beforeEach(async () => {
    databaseName = await createMigratedDatabase(postgres);
    db = connectClient(postgres, databaseName);
    await db.connect();
  });

  afterEach(async () => {
    killIfRunning(server?.process);
    server = undefined;
    await db.end();
    await dropTestDatabase(postgres, databaseName);
  });

  async function startServer(overrides: SettingsOverrides = {}): Promise<{ baseUrl: string; server: ServerProcess }> {
    const port = await findFreePort();
    const settings = createTestSettings(postgres, databaseName, {
      ...overrides,
      application: { port, ...overrides.application },
    });
    server = await startServerProcess(serverScript, createSettingsEnvironment(settings));
    return { baseUrl: `http://127.0.0.1:${port}`, server };
  }

  function postSubscription(baseUrl: string): Promise<Response> {
    return fetch(`${baseUrl}/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: validForm,
    });
  }

  it("finishes a request in flight on SIGTERM and exits 0", async () => {
    const { baseUrl, server } = await startServer();
    await db.query("BEGIN");
    await db.query("LOCK TABLE subscriptions IN ACCESS EXCLUSIVE MODE");

    const inFlight = postSubscription(baseUrl);
    await waitFor("the INSERT to wait on the lock", async () => {
      // Inside a transaction PostgreSQL keeps one snapshot of pg_stat_activity.
      await db.query("SELECT pg_stat_clear_snapshot()");
      const waiting = await db.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return waiting.rowCount === 1 || undefined;
    });
    server.process.kill("SIGTERM");
    await waitFor(
      "the shutdown to start",
      () => server.logMessages().some((message) => message.startsWith("Shutting down")) || undefined,
    );
    const newConnection = await fetch(`${baseUrl}/health_check`).then(
      (response) => response.status,
      (error: unknown) => error,
    );
    await db.query("COMMIT");
    const response = await inFlight;
    const exit = await server.result;

    expect(newConnection).toBeInstanceOf(Error);
    expect(response.status).toBe(200);
    expect(exit.code).toBe(0);
    const stored = await db.query("SELECT email FROM subscriptions");
    expect(stored.rows).toEqual([{ email: "ada@example.com" }]);
    expect(server.logMessages()).toContain("Server stopped");
  });

  it("serves the health check while the database is down", async () => {
    const { baseUrl, server } = await startServer({ database: { port: await findFreePort() } });

    const health = await fetch(`${baseUrl}/health_check`);
    const subscription = await postSubscription(baseUrl);
    server.process.kill("SIGTERM");

    expect(health.status).toBe(200);
    expect(subscription.status).toBe(503);
    expect((await server.result).code).toBe(0);
  });

  it("prints the configuration problem and exits 1", async () => {
    const settings = createTestSettings(postgres, databaseName);
    const variables = { ...createSettingsEnvironment(settings), APP_APPLICATION__LOG_LEVEL: "loud" };

    const result = await runNode([serverScript], variables);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("application.log_level");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
