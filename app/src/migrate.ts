import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "pg";
import { pino } from "pino";
import { createConnectionConfig } from "./database/connection-config.ts";
import { applyMigrations, MigrationError } from "./database/migrations.ts";
import { loadSettingsOrExit } from "./load-settings-or-exit.ts";

// Usage: node dist/migrate.js [folder]
// Applies pending migrations from `folder`, by default the migrations folder
// beside src/ or dist/. Exits 0 when every file is applied, 1 otherwise.

const settings = loadSettingsOrExit();
const logger = pino({ level: settings.application.log_level });
const folder = process.argv[2] === undefined
  ? fileURLToPath(new URL("../migrations/", import.meta.url))
  : path.resolve(process.argv[2]);

const client = new Client(createConnectionConfig(settings.database, { statementTimeout: false }));
// A connection dropped mid-run surfaces as the failing query's error. This
// listener only keeps the process from crashing before that.
client.on("error", (err) => logger.error({ err }, "Database connection failed"));

try {
  await client.connect();
  await applyMigrations(client, folder, logger);
} catch (err) {
  const message = err instanceof MigrationError ? err.message : `Failed to run migrations: ${(err as Error).message}`;
  const fix = lacksSchemaPrivilege(err) ? grantHint(settings.database.username) : undefined;
  logger.error({ err, migration: err instanceof MigrationError ? err.file : undefined, fix }, message);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}

// PostgreSQL 15 and later let only a database's owner create tables in its public schema, and
// a managed cluster's database belongs to the cluster's admin, not to the application's user.
function lacksSchemaPrivilege(error: unknown): boolean {
  const insufficientPrivilege = "42501";
  return (error as { code?: unknown } | undefined)?.code === insufficientPrivilege;
}

function grantHint(username: string): string {
  return `The user "${username}" may not create tables. Connect to the database as the cluster's admin (doadmin on DigitalOcean) and run: GRANT USAGE, CREATE ON SCHEMA public TO "${username}";`;
}
