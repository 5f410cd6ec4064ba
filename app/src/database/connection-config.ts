import type { ClientConfig } from "pg";
import type { DatabaseSettings } from "../configuration/settings.ts";

// The client-side timeout fires this long after statement_timeout, so the
// server normally cancels first and the connection stays usable. The client
// timeout still ends a query whose server no longer responds.
const clientTimeoutMarginMs = 1_000;

export interface ConnectionOptions {
  // Migrations may legitimately run longer than a request's statement budget.
  statementTimeout?: boolean;
}

// Builds the pg connection settings shared by the service's pool and the
// migration command. Every field is set explicitly, so PG* environment
// variables (PGSSLMODE, PGHOST, ...) never change where or how it connects.
export function createConnectionConfig(database: DatabaseSettings, options: ConnectionOptions = {}): ClientConfig {
  const statementTimeout = options.statementTimeout ?? true;

  return {
    host: database.host,
    port: database.port,
    user: database.username,
    password: database.password,
    database: database.database_name,
    ssl: createTlsOptions(database),
    connectionTimeoutMillis: database.connect_timeout_ms,
    application_name: "newsletter",
    ...(statementTimeout && {
      statement_timeout: database.statement_timeout_ms,
      query_timeout: database.statement_timeout_ms + clientTimeoutMarginMs,
    }),
  };
}

// Without ca_certificate, Node.js verifies against its default trust store:
// the bundled Mozilla roots plus NODE_EXTRA_CA_CERTS (and the operating
// system's store when node runs with --use-system-ca). No setting turns
// verification off.
function createTlsOptions(database: DatabaseSettings): ClientConfig["ssl"] {
  if (!database.require_ssl) {
    return false;
  }
  return database.ca_certificate === undefined
    ? { rejectUnauthorized: true }
    : { rejectUnauthorized: true, ca: database.ca_certificate };
}
