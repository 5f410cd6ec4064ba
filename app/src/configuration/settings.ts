import { z } from "zod";

// Values from APP_ variables arrive as strings: a number or boolean key takes
// the YAML value or its exact string form, and nothing looser ("1e3", "yes").
const integer = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: "expected a whole number" })
      .int({ error: "expected a whole number" })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );

const booleanStrings: Record<string, boolean> = { true: true, false: false };

const boolean = z.preprocess(
  (value) => (typeof value === "string" && Object.hasOwn(booleanStrings, value) ? booleanStrings[value] : value),
  z.boolean({ error: "expected true or false" }),
);

// Kept as written: a password may start or end with a space.
const text = z
  .string({ error: "expected a string" })
  .refine((value) => value.trim() !== "", { error: "must not be empty" });

export const ApplicationSettings = z.strictObject({
  host: text,
  port: integer(1, 65535),
  // The path of the liveness probe; App Platform's health check reads it too.
  health_check_path: text.regex(/^\/[\w\-/]*$/, { error: "must be a path that starts with /" }),
  // Larger request bodies get 413 before they are parsed.
  body_limit_bytes: integer(256, 1_048_576),
  // How long SIGTERM waits for requests in flight before the process exits.
  shutdown_grace_period_ms: integer(0, 120_000),
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    error: "expected one of fatal, error, warn, info, debug, trace, silent",
  }),
});

// PostgreSQL truncates longer identifiers, so a longer name would reach a different role.
const maxIdentifierBytes = 63;

// A role to grant rights to. GRANT treats "public" as every role, even quoted, and "none" and
// names starting with pg_ are reserved for PostgreSQL's own roles.
const grantableRole = text
  .refine((value) => Buffer.byteLength(value, "utf8") <= maxIdentifierBytes, {
    error: `must be at most ${maxIdentifierBytes} bytes, PostgreSQL's identifier limit`,
  })
  .refine((value) => value !== "public" && value !== "none" && !value.startsWith("pg_"), {
    error: 'must name a role of your own, not "public", "none" or a pg_ role',
  });

export const DatabaseSettings = z.strictObject({
  host: text,
  port: integer(1, 65535),
  username: text,
  password: text,
  database_name: text,
  // true verifies the server's certificate against ca_certificate, or the
  // system trust store when that is unset; there is no unverified mode.
  require_ssl: boolean,
  ca_certificate: text.optional(),
  pool_max: integer(1, 100),
  connect_timeout_ms: integer(100, 60_000),
  statement_timeout_ms: integer(100, 600_000),
  // The role that the migration command grants read and write access to the tables after
  // migrating, when it connects as the database's owner and the service as this role. Unset
  // where the service's own user migrates and so owns the tables.
  application_role: grantableRole.optional(),
}).refine((database) => database.application_role !== database.username, {
  // The migration revokes the role's rights on schema_migrations, which would lock the
  // migrating user out of its own record on the next run.
  path: ["application_role"],
  error: "must differ from database.username, the user that migrates",
});

export const Settings = z.strictObject({
  application: ApplicationSettings,
  database: DatabaseSettings,
});

export type ApplicationSettings = z.infer<typeof ApplicationSettings>;
export type DatabaseSettings = z.infer<typeof DatabaseSettings>;
export type Settings = z.infer<typeof Settings>;

// Key paths whose values error messages mask.
export const secretKeys: ReadonlySet<string> = new Set(["database.password", "database.ca_certificate"]);

export const environments = ["local", "production"] as const;
export type Environment = (typeof environments)[number];
