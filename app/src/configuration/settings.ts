import { z } from "zod";

// Values from APP_ variables arrive as strings; these accept both the YAML
// number or boolean and its string form, and nothing looser.
const integer = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^-?\d+$/, "expected a whole number").transform(Number)])
    .pipe(z.number().int("expected a whole number").min(min).max(max));

const boolean = z
  .union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")])
  .pipe(z.boolean());

const text = z.string().trim().min(1, "must not be empty");

export const ApplicationSettings = z.strictObject({
  host: text,
  port: integer(1, 65535),
  // The path of the liveness probe; App Platform's health check reads it too.
  health_check_path: text.regex(/^\/[\w\-/]*$/, "must be a path that starts with /"),
  // Larger request bodies get 413 before they are parsed.
  body_limit_bytes: integer(256, 1_048_576),
  // How long SIGTERM waits for requests in flight before the process exits.
  shutdown_grace_period_ms: integer(0, 120_000),
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
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
});

export const Settings = z.strictObject({
  application: ApplicationSettings,
  database: DatabaseSettings,
});

export type ApplicationSettings = z.infer<typeof ApplicationSettings>;
export type DatabaseSettings = z.infer<typeof DatabaseSettings>;
export type Settings = z.infer<typeof Settings>;

// Values that error messages mask, as key paths.
export const secretKeys: ReadonlySet<string> = new Set(["database.password", "database.ca_certificate"]);

export const environments = ["local", "production"] as const;
export type Environment = (typeof environments)[number];
