import { escapeIdentifier, type Client } from "pg";
import type { Logger } from "pino";

// A failed grant. The message names the role and the cause, and `code` keeps the cause's
// PostgreSQL error code (SQLSTATE).
export class GrantError extends Error {
  readonly role: string;
  readonly code: string | undefined;

  constructor(role: string, cause: unknown) {
    super(`Failed to grant role "${role}" access to the tables in schema public: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "GrantError";
    this.role = role;
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

// The statements that let `role` read and write rows, but not change the schema. The default
// privileges cover tables and sequences that the connected role creates later, for example by
// hand between deployments. schema_migrations is the migration command's own record, which the
// application has no reason to change.
function grantStatements(role: string): string[] {
  const grantee = escapeIdentifier(role);
  return [
    // A right to create objects left from an earlier setup would let the service own tables
    // that the migrating user then cannot change.
    `REVOKE CREATE ON SCHEMA public FROM ${grantee}`,
    `GRANT USAGE ON SCHEMA public TO ${grantee}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${grantee}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${grantee}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${grantee}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${grantee}`,
    `REVOKE ALL ON schema_migrations FROM ${grantee}`,
  ];
}

// Grants `role` read and write access to every table and sequence in schema public, in one
// transaction. Running it again changes nothing. The connected role must own the tables or
// have their privileges WITH GRANT OPTION. PostgreSQL rejects a grant on a table where the role
// has no privilege, and only warns ("no privileges were granted") where it has some without
// the grant option, so those warnings are logged.
export async function grantApplicationAccess(client: Client, role: string, logger: Logger): Promise<void> {
  const logWarning = (notice: { severity?: string; message?: string }) => {
    if (notice.severity === "WARNING") {
      logger.warn({ role }, `While granting role "${role}" access: ${notice.message}`);
    }
  };
  client.on("notice", logWarning);
  try {
    await client.query("BEGIN");
    for (const statement of grantStatements(role)) {
      await client.query(statement);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new GrantError(role, error);
  } finally {
    client.off("notice", logWarning);
  }
  logger.info({ role }, `Granted role "${role}" read and write access to the tables in schema public, except schema_migrations`);
}
