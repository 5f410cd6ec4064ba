import { Settings, type ApplicationSettings, type DatabaseSettings } from "../../src/configuration/settings.ts";
import type { PostgresServer } from "./global-setup.ts";

export interface SettingsOverrides {
  application?: Partial<ApplicationSettings>;
  database?: Partial<DatabaseSettings>;
}

// Settings for a test app on the test server's database `databaseName`, with
// the values of base.yaml and local.yaml except where a test overrides them.
// They pass the same schema as loaded settings. The port matters only to tests
// that listen, and those override it.
export function createTestSettings(
  server: PostgresServer,
  databaseName: string,
  overrides: SettingsOverrides = {},
): Settings {
  return Settings.parse({
    application: {
      host: "127.0.0.1",
      port: 8000,
      health_check_path: "/health_check",
      body_limit_bytes: 4096,
      shutdown_grace_period_ms: 10_000,
      log_level: "info",
      ...overrides.application,
    },
    database: {
      host: server.host,
      port: server.port,
      username: server.user,
      password: server.password,
      database_name: databaseName,
      require_ssl: false,
      pool_max: 10,
      connect_timeout_ms: 2_000,
      statement_timeout_ms: 5_000,
      ...overrides.database,
    },
  });
}

// The APP_ variables that make loadSettings() produce the same settings in a
// child process started in the repository root.
export function createSettingsEnvironment(settings: Settings): Record<string, string> {
  const environment: Record<string, string> = { APP_ENVIRONMENT: "local" };
  for (const [section, values] of Object.entries(settings)) {
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined) {
        environment[`APP_${section.toUpperCase()}__${key.toUpperCase()}`] = String(value);
      }
    }
  }
  return environment;
}
