import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "pg";
import { pino } from "pino";
import { GrantError } from "./database/application-grants.ts";
import { createConnectionConfig } from "./database/connection-config.ts";
import { applyMigrations, MigrationError } from "./database/migrations.ts";
import { loadSettingsOrExit } from "./load-settings-or-exit.ts";

// Usage: node dist/migrate.js [folder]
// Applies pending migrations from `folder`, by default the migrations folder
// beside src/ or dist/, then, when database.application_role is set, grants
// that role read and write access to the tables. Exits 0 when every step
// succeeds, 1 otherwise.

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
  await applyMigrations(client, folder, logger, { applicationRole: settings.database.application_role });
} catch (err) {
  const message = err instanceof MigrationError || err instanceof GrantError ? err.message : `Failed to run migrations: ${(err as Error).message}`;
  const fix = fixFor(err, settings.database.username);
  logger.error({ err, migration: err instanceof MigrationError ? err.file : undefined, fix }, message);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}

// The next step for a failure whose cause the command can tell, undefined for any other.
function fixFor(error: unknown, username: string): string | undefined {
  const insufficientPrivilege = "42501";
  const undefinedRole = "42704";
  const code = (error as { code?: unknown } | undefined)?.code;

  if (error instanceof GrantError) {
    if (code === insufficientPrivilege) {
      return `The user "${username}" may grant access only to tables it owns. Make it the owner of every table in schema public (ALTER TABLE ... OWNER TO "${username}"), then run the migration again.`;
    }
    if (code === undefinedRole) {
      return `Create the role "${error.role}", or correct database.application_role (APP_DATABASE__APPLICATION_ROLE).`;
    }
    return undefined;
  }
  // PostgreSQL 15 and later let only a database's owner create tables in its public schema,
  // and a managed cluster's database belongs to the cluster's admin, not to the application's
  // user.
  if (code === insufficientPrivilege) {
    return `The user "${username}" may not create tables. Connect as the database's owner (on DigitalOcean the cluster's admin, doadmin) and either migrate as that user with database.application_role set to "${username}", or run: GRANT USAGE, CREATE ON SCHEMA public TO "${username}";`;
  }
  return undefined;
}
