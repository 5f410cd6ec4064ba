import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { inject } from "vitest";
import { buildApp } from "../../src/app.ts";
import type { Settings } from "../../src/configuration/settings.ts";
import { connectClient, createMigratedDatabase, dropTestDatabase } from "./database.ts";
import { LogCapture } from "./log-capture.ts";
import { createTestSettings, type SettingsOverrides } from "./settings.ts";

export interface TestApp {
  app: FastifyInstance;
  settings: Settings;
  // A client on the app's own database, for checking and arranging rows.
  db: pg.Client;
  logs: LogCapture;
  // Closes the app and the client, then drops the database.
  cleanup(): Promise<void>;
}

// Builds the app on a fresh, randomly named, migrated database. Tests call it
// through app.inject; the app does not listen.
export async function spawnApp(overrides: SettingsOverrides = {}): Promise<TestApp> {
  const server = inject("postgres");
  const databaseName = await createMigratedDatabase(server);
  const settings = createTestSettings(server, databaseName, overrides);

  const logs = new LogCapture();
  const app = buildApp(settings, { logStream: logs });
  await app.ready();

  const db = connectClient(server, databaseName);
  await db.connect();

  return {
    app,
    settings,
    db,
    logs,
    async cleanup() {
      await app.close();
      await db.end();
      await dropTestDatabase(server, databaseName);
    },
  };
}

// Sends a form POST to /subscriptions.
export async function postSubscription(
  app: FastifyInstance,
  body: string | Buffer,
  contentType = "application/x-www-form-urlencoded",
) {
  return app.inject({
    method: "POST",
    url: "/subscriptions",
    headers: { "content-type": contentType },
    payload: body,
  });
}
