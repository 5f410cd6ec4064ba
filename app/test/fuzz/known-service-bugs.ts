// Service bugs that the fuzz tests found and that are still open. Each has a named
// test in regressions.test.ts; remove an entry here once the service is fixed.

// NOTE: POST /subscriptions returns 500 for a valid-looking email whose bytes do not
// compress below 2704 bytes, because PostgreSQL rejects the entry for the unique index
// on subscriptions.email (SQLSTATE 54000), and the service does not limit an email's length.
export function isKnownLongEmailFailure(email: string | undefined, status: number): boolean {
  return status === 500 && email !== undefined && Buffer.byteLength(email) > 2_000;
}
