import { afterEach, describe, expect, inject, it } from "vitest";
import { postSubscription, spawnApp, type TestApp } from "./support/spawn-app.ts";

// The test server's certificate is signed by a throw-away CA for "localhost" only.
describe("database TLS", () => {
  const postgres = inject("postgres");
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.cleanup();
    testApp = undefined;
  });

  function firstErrorMessage(app: TestApp): string | undefined {
    return app.logs.lines.find((line) => line.level === 50)?.err?.message;
  }

  it("connects over TLS verified against ca_certificate", async () => {
    testApp = await spawnApp({
      database: { host: "localhost", require_ssl: true, ca_certificate: postgres.caCertificate },
    });

    const response = await postSubscription(testApp.app, "name=Ada&email=ada%40example.com");

    expect(response.statusCode).toBe(200);
    const connections = await testApp.db.query<{ ssl: boolean }>(
      `SELECT ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
       WHERE application_name = 'newsletter' AND datname = current_database()`,
    );
    expect(connections.rows).toEqual([{ ssl: true }]);
  });

  it("rejects a certificate from an untrusted CA", async () => {
    testApp = await spawnApp({ database: { host: "localhost", require_ssl: true } });

    const response = await postSubscription(testApp.app, "name=Ada&email=ada%40example.com");

    expect(response.statusCode).toBe(500);
    expect(firstErrorMessage(testApp)).toContain("unable to verify the first certificate");
    expect((await testApp.db.query("SELECT 1 FROM subscriptions")).rowCount).toBe(0);
  });

  it("rejects a certificate for another host name", async () => {
    testApp = await spawnApp({
      database: { host: "127.0.0.1", require_ssl: true, ca_certificate: postgres.caCertificate },
    });

    const response = await postSubscription(testApp.app, "name=Ada&email=ada%40example.com");

    expect(response.statusCode).toBe(500);
    expect(firstErrorMessage(testApp)).toContain("IP: 127.0.0.1 is not in the cert's list");
  });

  it("connects without TLS when require_ssl is false", async () => {
    testApp = await spawnApp({ database: { require_ssl: false } });

    const response = await postSubscription(testApp.app, "name=Ada&email=ada%40example.com");

    expect(response.statusCode).toBe(200);
    const connections = await testApp.db.query<{ ssl: boolean }>(
      `SELECT ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
       WHERE application_name = 'newsletter' AND datname = current_database()`,
    );
    expect(connections.rows).toEqual([{ ssl: false }]);
  });
});
