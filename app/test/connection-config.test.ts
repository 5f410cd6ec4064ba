import { describe, expect, it } from "vitest";
import type { DatabaseSettings } from "../src/configuration/settings.ts";
import { createConnectionConfig } from "../src/database/connection-config.ts";

const database: DatabaseSettings = {
  host: "db.example.internal",
  port: 25060,
  username: "newsletter",
  password: "not-a-real-password",
  database_name: "newsletter",
  require_ssl: false,
  pool_max: 5,
  connect_timeout_ms: 1_500,
  statement_timeout_ms: 3_000,
};

describe("createConnectionConfig", () => {
  it("turns TLS off when require_ssl is false", () => {
    expect(createConnectionConfig(database).ssl).toBe(false);
  });

  it("verifies against the system trust store when no CA is set", () => {
    expect(createConnectionConfig({ ...database, require_ssl: true }).ssl).toEqual({ rejectUnauthorized: true });
  });

  it("verifies against ca_certificate when it is set", () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

    const ssl = createConnectionConfig({ ...database, require_ssl: true, ca_certificate: ca }).ssl;

    expect(ssl).toEqual({ rejectUnauthorized: true, ca });
  });

  it("passes the timeouts in milliseconds", () => {
    const config = createConnectionConfig(database);

    expect(config.connectionTimeoutMillis).toBe(1_500);
    expect(config.statement_timeout).toBe(3_000);
    expect(config.query_timeout).toBeGreaterThan(3_000);
  });

  it("leaves out the statement timeout for migrations", () => {
    const config = createConnectionConfig(database, { statementTimeout: false });

    expect(config.statement_timeout).toBeUndefined();
    expect(config.query_timeout).toBeUndefined();
  });

  it("sets every connection field so PG variables cannot change them", () => {
    const config = createConnectionConfig(database);

    expect(config).toMatchObject({
      host: "db.example.internal",
      port: 25060,
      user: "newsletter",
      password: "not-a-real-password",
      database: "newsletter",
    });
  });
});
