import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
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
  // Roles a test created. Each is dropped after the database, because PostgreSQL rejects
  // DROP ROLE while a database grants the role privileges.
  let roles: string[] = [];

  beforeEach(async () => {
    databaseName = await createTestDatabase(server);
    environment = createSettingsEnvironment(createTestSettings(server, databaseName));
  });

  afterEach(async () => {
    await dropTestDatabase(server, databaseName);
    for (const role of roles) {
      await query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`, "postgres");
    }
    roles = [];
    if (scratchFolder !== undefined) {
      await rm(scratchFolder, { recursive: true, force: true });
      scratchFolder = undefined;
    }
  });

  async function query<T extends object>(sql: string, database = databaseName): Promise<T[]> {
    const client = connectClient(server, database);
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

  describe("with an application role", () => {
    const rolePassword = "application-role-password";
    let role: string;

    beforeEach(async () => {
      role = `app_${databaseName}`;
      roles.push(role);
      await query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD '${rolePassword}'`);
    });

    // Runs the migration as the test server's superuser, which plays the cluster's admin.
    function migrateAsAdmin(args: string[] = []): Promise<ProcessResult> {
      return runNode([migrateScript, ...args], { ...environment, APP_DATABASE__APPLICATION_ROLE: role });
    }

    // Runs `sql` as the application role and returns its rows, or the error PostgreSQL raised.
    async function queryAsRole<T extends object>(sql: string, values: unknown[] = []): Promise<T[] | pg.DatabaseError> {
      const client = new pg.Client({ host: server.host, port: server.port, user: role, password: rolePassword, database: databaseName });
      await client.connect();
      try {
        return (await client.query<T>(sql, values)).rows;
      } catch (error) {
        if (error instanceof pg.DatabaseError) {
          return error;
        }
        throw error;
      } finally {
        await client.end();
      }
    }

    async function insertSubscription(email: string) {
      return queryAsRole<{ id: string }>(
        "INSERT INTO subscriptions (id, email, name, subscribed_at) VALUES ($1, $2, $3, now()) RETURNING id",
        [randomUUID(), email, "Ursula Le Guin"],
      );
    }

    function grantLines(result: ProcessResult) {
      return parseLogLines(result.stdout).filter((line) => line.level === 30 && line.role !== undefined);
    }

    // Every privilege on the database's own tables, sequences, schema and defaults, as one text.
    async function privilegeSnapshot(): Promise<string> {
      const rows = await query<{ acl: string }>(
        `SELECT format('%s %s', c.relname, c.relacl) AS acl FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
         UNION ALL SELECT format('schema %s', nspacl) FROM pg_namespace WHERE nspname = 'public'
         UNION ALL SELECT format('default %s %s', defaclobjtype, defaclacl) FROM pg_default_acl
         ORDER BY 1`,
      );
      return rows.map((row) => row.acl).join("\n");
    }

    it("logs the role it granted", async () => {
      const result = await migrateAsAdmin();

      expect(result.code).toBe(0);
      expect(grantLines(result)).toHaveLength(1);
      expect(grantLines(result)[0]?.role).toBe(role);
      expect(grantLines(result)[0]?.msg).toContain(`"${role}"`);
    });

    it("lets the role insert and read a subscription", async () => {
      await migrateAsAdmin();
      const email = `granted-${databaseName}@example.com`;

      const inserted = await insertSubscription(email);
      const read = await queryAsRole<{ name: string }>("SELECT name FROM subscriptions WHERE email = $1", [email]);

      expect(inserted).toHaveLength(1);
      expect(read).toEqual([{ name: "Ursula Le Guin" }]);
    });

    it("lets the role update and delete a subscription", async () => {
      await migrateAsAdmin();
      const email = `changed-${databaseName}@example.com`;
      await insertSubscription(email);

      const updated = await queryAsRole("UPDATE subscriptions SET name = 'U. K. Le Guin' WHERE email = $1 RETURNING id", [email]);
      const deleted = await queryAsRole("DELETE FROM subscriptions WHERE email = $1 RETURNING id", [email]);

      expect(updated).toHaveLength(1);
      expect(deleted).toHaveLength(1);
    });

    it("keeps the role from creating a table", async () => {
      await migrateAsAdmin();

      const result = await queryAsRole("CREATE TABLE app_role_probe (id int)");

      expect(result).toBeInstanceOf(pg.DatabaseError);
      expect((result as pg.DatabaseError).message).toBe("permission denied for schema public");
    });

    it("takes back a create right granted earlier", async () => {
      await query(`GRANT CREATE ON SCHEMA public TO ${pg.escapeIdentifier(role)}`);
      await migrateAsAdmin();

      const result = await queryAsRole("CREATE TABLE app_role_probe (id int)");

      expect(result).toBeInstanceOf(pg.DatabaseError);
      expect((result as pg.DatabaseError).message).toBe("permission denied for schema public");
    });

    it("keeps the role from dropping the subscriptions table", async () => {
      await migrateAsAdmin();

      const result = await queryAsRole("DROP TABLE subscriptions");

      expect(result).toBeInstanceOf(pg.DatabaseError);
      expect((result as pg.DatabaseError).message).toBe("must be owner of table subscriptions");
      expect(await tableNames()).toContain("subscriptions");
    });

    it("keeps the role from changing schema_migrations", async () => {
      await migrateAsAdmin();

      const result = await queryAsRole("DELETE FROM schema_migrations");

      expect(result).toBeInstanceOf(pg.DatabaseError);
      expect((result as pg.DatabaseError).message).toBe("permission denied for table schema_migrations");
      expect(await query("SELECT name FROM schema_migrations")).toHaveLength(1);
    });

    it("changes nothing when run a second time", async () => {
      await migrateAsAdmin();
      const before = await privilegeSnapshot();
      const email = `kept-${databaseName}@example.com`;
      await insertSubscription(email);

      const second = await migrateAsAdmin();

      expect(second.code).toBe(0);
      expect(appliedLines(second)).toHaveLength(0);
      expect(grantLines(second)).toHaveLength(1);
      expect(await privilegeSnapshot()).toBe(before);
      expect(await queryAsRole("SELECT email FROM subscriptions")).toEqual([{ email }]);
    });

    it("grants access to a table the admin creates later", async () => {
      await migrateAsAdmin();
      await query("CREATE TABLE later_notes (id serial PRIMARY KEY, note text)");

      const inserted = await queryAsRole("INSERT INTO later_notes (note) VALUES ('added by the role') RETURNING id");

      expect(inserted).toEqual([{ id: 1 }]);
    });

    it("grants access to a table a later migration adds", async () => {
      const folder = await writeMigrations({ "0001_first.sql": "CREATE TABLE first (id int);" });
      await migrateAsAdmin([folder]);
      await writeFile(path.join(folder, "0002_second.sql"), "CREATE TABLE second (id int);");

      const result = await migrateAsAdmin([folder]);

      expect(result.code).toBe(0);
      expect(await queryAsRole("INSERT INTO second (id) VALUES (2) RETURNING id")).toEqual([{ id: 2 }]);
    });

    it("grants once per run when two migrators run at once", async () => {
      const results = await Promise.all([migrateAsAdmin(), migrateAsAdmin()]);

      expect(results.map((result) => result.code)).toEqual([0, 0]);
      expect(results.flatMap(grantLines)).toHaveLength(2);
      expect(results.flatMap(appliedLines)).toHaveLength(1);
    });

    it("exits 1 and names the setting when the role does not exist", async () => {
      const result = await runNode([migrateScript], { ...environment, APP_DATABASE__APPLICATION_ROLE: `missing_${databaseName}` });

      expect(result.code).toBe(1);
      const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
      expect(failure?.msg).toContain(`Failed to grant role "missing_${databaseName}" access`);
      expect(failure?.msg).toContain("does not exist");
      expect(failure?.fix).toContain("APP_DATABASE__APPLICATION_ROLE");
    });

    it("quotes the role name", async () => {
      const quoted = `App "role"; ${databaseName.slice(-8)}`;
      roles.push(quoted);
      await query(`CREATE ROLE ${pg.escapeIdentifier(quoted)}`);

      const result = await runNode([migrateScript], { ...environment, APP_DATABASE__APPLICATION_ROLE: quoted });

      expect(result.code).toBe(0);
      const granted = await query<{ allowed: boolean }>(
        `SELECT has_table_privilege(${pg.escapeLiteral(quoted)}, 'subscriptions', 'INSERT') AS allowed`,
      );
      expect(granted).toEqual([{ allowed: true }]);
    });

    describe("as a database owner that is not a superuser", () => {
      const ownerPassword = "owner-password";
      let owner: string;
      let ownerEnvironment: Record<string, string>;

      beforeEach(async () => {
        owner = `owner_${databaseName}`;
        roles.push(owner);
        await query(`CREATE ROLE ${pg.escapeIdentifier(owner)} LOGIN PASSWORD '${ownerPassword}'`);
        await query(`ALTER DATABASE ${pg.escapeIdentifier(databaseName)} OWNER TO ${pg.escapeIdentifier(owner)}`);
        ownerEnvironment = {
          ...environment,
          APP_DATABASE__USERNAME: owner,
          APP_DATABASE__PASSWORD: ownerPassword,
          APP_DATABASE__APPLICATION_ROLE: role,
        };
      });

      it("migrates and grants", async () => {
        const result = await runNode([migrateScript], ownerEnvironment);

        expect(result.code).toBe(0);
        expect(grantLines(result)).toHaveLength(1);
        expect(await insertSubscription(`owner-${databaseName}@example.com`)).toHaveLength(1);
      });

      it("exits 1 and grants nothing when it lacks rights on a table", async () => {
        await query("CREATE TABLE foreign_notes (id int)");

        const result = await runNode([migrateScript], ownerEnvironment);

        expect(result.code).toBe(1);
        const failure = parseLogLines(result.stdout).find((line) => line.level === 50);
        expect(failure?.msg).toContain("permission denied for table foreign_notes");
        expect(failure?.fix).toContain(`OWNER TO "${owner}"`);
        expect(await queryAsRole("SELECT count(*) FROM subscriptions")).toBeInstanceOf(pg.DatabaseError);
      });

      it("warns when it may not pass on rights to a table", async () => {
        await query("CREATE TABLE shared_notes (id int)");
        await query(`GRANT SELECT ON shared_notes TO ${pg.escapeIdentifier(owner)}`);

        const result = await runNode([migrateScript], ownerEnvironment);

        expect(result.code).toBe(0);
        const warnings = parseLogLines(result.stdout).filter((line) => line.level === 40);
        expect(warnings.map((line) => line.msg)).toEqual([expect.stringContaining('no privileges were granted for "shared_notes"')]);
      });
    });
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
