import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { parseLogLines, runNode, type ProcessResult } from "./support/child-process.ts";
import { connectClient, createTestDatabase, dropTestDatabase, migrationsFolder } from "./support/database.ts";
import { createSettingsEnvironment, createTestSettings } from "./support/settings.ts";

const migrateScript = "app/src/migrate.ts";

describe("migrate command", () => {
  const server = inject("postgres");
  let databaseName: string;
  let environment: Record<string, string>;
  let scratchFolder: string | undefined;

  beforeEach(async () => {
    databaseName = await createTestDatabase(server);
    environment = createSettingsEnvironment(createTestSettings(server, databaseName));
  });

  afterEach(async () => {
    await dropTestDatabase(server, databaseName);
    if (scratchFolder !== undefined) {
      await rm(scratchFolder, { recursive: true, force: true });
      scratchFolder = undefined;
    }
  });

  async function query<T extends object>(sql: string): Promise<T[]> {
    const client = connectClient(server, databaseName);
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  async function tableNames(): Promise<string[]> {
    const rows = await query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  }

  async function writeMigrations(files: Record<string, string>): Promise<string> {
    scratchFolder = await mkdtemp(path.join(tmpdir(), "newsletter-migrations-"));
    for (const [name, sql] of Object.entries(files)) {
      await writeFile(path.join(scratchFolder, name), sql);
    }
    return scratchFolder;
  }

  function appliedLines(result: ProcessResult) {
    return parseLogLines(result.stdout).filter((line) => line.migration !== undefined && line.level === 30);
  }

  it("applies the service's migrations from the default folder", async () => {
    const result = await runNode([migrateScript], environment);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await tableNames()).toEqual(["schema_migrations", "subscriptions"]);
    expect(appliedLines(result).map((line) => line.migration)).toEqual(["0001_create_subscriptions.sql"]);
  });

  it("does nothing when run a second time", async () => {
    await runNode([migrateScript], environment);

    const second = await runNode([migrateScript], environment);

    expect(second.code).toBe(0);
    expect(appliedLines(second)).toHaveLength(0);
    const recorded = await query<{ name: string }>("SELECT name FROM schema_migrations");
    expect(recorded.map((row) => row.name)).toEqual(["0001_create_subscriptions.sql"]);
  });

  it("applies files of a given folder in name order", async () => {
    const folder = await writeMigrations({
      "0002_second.sql": "ALTER TABLE first ADD COLUMN note text;",
      "0001_first.sql": "CREATE TABLE first (id int);",
      "README.md": "not a migration",
    });

    const result = await runNode([migrateScript, folder], environment);

    expect(result.code).toBe(0);
    expect(appliedLines(result).map((line) => line.migration)).toEqual(["0001_first.sql", "0002_second.sql"]);
  });

  it("exits 1 and keeps nothing of a broken migration", async () => {
    const folder = await writeMigrations({
      "0001_good.sql": "CREATE TABLE good (id int);",
      "0002_broken.sql": "CREATE TABLE half_applied (id int);\nCREATE TABLE broken (id int;",
    });

    const result = await runNode([migrateScript, folder], environment);

    expect(result.code).toBe(1);
    const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
    expect(failure?.msg).toMatch(/^Failed to apply migration 0002_broken\.sql: syntax error/);
    expect(await tableNames()).toEqual(["good", "schema_migrations"]);
    const recorded = await query<{ name: string }>("SELECT name FROM schema_migrations");
    expect(recorded.map((row) => row.name)).toEqual(["0001_good.sql"]);
  });

  it("exits 1 when an applied file has changed", async () => {
    const folder = await writeMigrations({ "0001_first.sql": "CREATE TABLE first (id int);" });
    await runNode([migrateScript, folder], environment);
    await writeFile(path.join(folder, "0001_first.sql"), "CREATE TABLE first (id bigint);");

    const result = await runNode([migrateScript, folder], environment);

    expect(result.code).toBe(1);
    const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
    expect(failure?.msg).toContain("Failed to apply migration 0001_first.sql: the file changed after it was applied");
  });

  it("applies each file once when two migrators run at once", async () => {
    const results = await Promise.all([runNode([migrateScript], environment), runNode([migrateScript], environment)]);

    expect(results.map((result) => result.code)).toEqual([0, 0]);
    expect(results.flatMap(appliedLines)).toHaveLength(1);
  });

  it("exits 1 when the folder does not exist", async () => {
    const result = await runNode([migrateScript, "/nonexistent/migrations"], environment);

    expect(result.code).toBe(1);
    const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
    expect(failure?.msg).toContain("Failed to read the migrations folder /nonexistent/migrations");
  });

  it("names the grant a user without schema rights needs", async () => {
    const role = `limited_${databaseName}`;
    await query(`CREATE ROLE ${role} LOGIN PASSWORD 'limited-password'`);

    try {
      const result = await runNode([migrateScript], {
        ...environment,
        APP_DATABASE__USERNAME: role,
        APP_DATABASE__PASSWORD: "limited-password",
      });

      expect(result.code).toBe(1);
      const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
      expect(failure?.msg).toContain("permission denied for schema public");
      expect(failure?.fix).toContain(`GRANT USAGE, CREATE ON SCHEMA public TO "${role}";`);
    } finally {
      await query(`DROP ROLE ${role}`);
    }
  });

  it("exits 1 when the database is unreachable", async () => {
    const result = await runNode([migrateScript], { ...environment, APP_DATABASE__PORT: "1" });

    expect(result.code).toBe(1);
    const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
    expect(failure?.msg).toContain("Failed to run migrations: connect ECONNREFUSED");
  });

  it("prints the configuration problem without a stack trace", async () => {
    const result = await runNode([migrateScript], { ...environment, APP_DATABASE__PORT: "not-a-port" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("database.port");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe("");
  });

  it("finds the default folder beside src", () => {
    expect(migrationsFolder.endsWith(path.join("app", "migrations") + path.sep)).toBe(true);
  });
});
