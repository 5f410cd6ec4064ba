// Failures that mean "the database cannot serve us right now", as opposed to
// a bug or a misconfiguration. The service responds to these with 503 so
// that clients and load balancers retry later.

// Node.js socket errors when the server is down, restarting or unreachable.
const networkErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
]);

// SQLSTATE codes from PostgreSQL 17's errcodes.txt: 57014 query_canceled
// (what statement_timeout raises), 57P01 admin_shutdown, 57P02
// crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down),
// 57P05 idle_session_timeout, 53300 too_many_connections. Class 08 contains
// the connection exceptions, except 08P01 protocol_violation, which is a bug.
const unavailableSqlStates = new Set(["57014", "57P01", "57P02", "57P03", "57P05", "53300"]);

// node-postgres 8 raises these as plain Errors without a code.
const unavailableMessages = [
  "timeout exceeded when trying to connect", // pool: no client free within connectionTimeoutMillis
  "Connection terminated due to connection timeout", // pool: connect took too long
  "Connection terminated unexpectedly", // server closed the connection
  "Query read timeout", // query_timeout: no response from the server
  "timeout expired", // client: connect took too long
];

// Tells whether the error, or any error in its cause chain, means the
// database is unavailable.
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error;

  while (current instanceof Error && !seen.has(current)) {
    if (matchesUnavailable(current)) {
      return true;
    }
    seen.add(current);
    current = current.cause;
  }
  return false;
}

function matchesUnavailable(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (networkErrorCodes.has(code) || unavailableSqlStates.has(code) || isConnectionException(code)) {
      return true;
    }
  }
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) {
    return true;
  }
  return unavailableMessages.some((message) => error.message.startsWith(message));
}

function isConnectionException(sqlState: string): boolean {
  return sqlState.startsWith("08") && sqlState !== "08P01";
}
