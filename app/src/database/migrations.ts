import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "pg";
import type { Logger } from "pino";
import { grantApplicationAccess } from "./application-grants.ts";

// Every migrator takes this PostgreSQL advisory lock first, so two instances
// that start at once apply each file only once. Any constant works as long as
// all migrators of this service use the same one.
const migrationLockKey = 4_120_525_062_717;

// A migration file that failed. The message names the file and the cause. The cause is not
// attached as `cause`, because pino's serializer would then print its message twice; its
// PostgreSQL error code (SQLSTATE) is kept instead.
export class MigrationError extends Error {
  readonly file: string;
  readonly code: string | undefined;

  constructor(file: string, cause: unknown) {
    super(`Failed to apply migration ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "MigrationError";
    this.file = file;
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

export interface MigrationOptions {
  // A role to grant read and write access to the tables once every file is applied, on every
  // run, so a run that failed after migrating is completed by the next one.
  applicationRole?: string;
}

// Applies the .sql files in `folder` that are not yet recorded in
// schema_migrations, in name order, each in its own transaction together with
// its record, so a failing file leaves nothing of itself behind. Returns the
// names of the files applied. With options.applicationRole it then grants that
// role access to the tables, under the same advisory lock, because concurrent
// GRANTs on one table fail with "tuple concurrently updated".
//
// NOTE: statements that PostgreSQL rejects inside a transaction block (CREATE
// INDEX CONCURRENTLY, VACUUM, CREATE DATABASE) cannot be used in a migration.
export async function applyMigrations(
  client: Client,
  folder: string,
  logger: Logger,
  options: MigrationOptions = {},
): Promise<string[]> {
  const files = await listMigrationFiles(folder);

  await client.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const applied = await readAppliedMigrations(client);

    const newlyApplied: string[] = [];
    for (const file of files) {
      const sql = await readFile(path.join(folder, file), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");

      const recordedChecksum = applied.get(file);
      if (recordedChecksum !== undefined) {
        if (recordedChecksum !== checksum) {
          const reason = "the file changed after it was applied, so add a new migration instead of editing it";
          throw new MigrationError(file, new Error(reason));
        }
        continue;
      }

      await applyMigration(client, file, sql, checksum);
      logger.info({ migration: file }, `Applied migration ${file}`);
      newlyApplied.push(file);
    }

    if (newlyApplied.length === 0) {
      logger.info({ folder }, "No pending migrations");
    }
    if (options.applicationRole !== undefined) {
      await grantApplicationAccess(client, options.applicationRole, logger);
    }
    return newlyApplied;
  } finally {
    // A failed unlock must not hide the original error. PostgreSQL releases
    // the lock anyway when the session ends.
    await client.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]).catch(() => undefined);
  }
}

async function listMigrationFiles(folder: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new Error(`Failed to read the migrations folder ${folder}: ${(error as Error).message}`, { cause: error });
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".sql"))
    .map((entry) => entry.name)
    .sort();
}

async function readAppliedMigrations(client: Client): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; checksum: string }>("SELECT name, checksum FROM schema_migrations");
  return new Map(result.rows.map((row) => [row.name, row.checksum]));
}

async function applyMigration(client: Client, file: string, sql: string, checksum: string): Promise<void> {
  try {
    await client.query("BEGIN");
    // Sent as a simple query, so a file may hold several statements.
    await client.query(sql);
    await client.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [file, checksum]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new MigrationError(file, error);
  }
}
