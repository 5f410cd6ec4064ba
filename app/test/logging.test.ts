import { afterEach, describe, expect, inject, it } from "vitest";
import { findFreePort } from "./support/free-port.ts";
import { postSubscription, spawnApp, type TestApp } from "./support/spawn-app.ts";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("logging", () => {
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.cleanup();
    testApp = undefined;
  });

  it("puts the request id on every line of a request", async () => {
    testApp = await spawnApp({ application: { log_level: "debug" } });

    const response = await postSubscription(testApp.app, "name=Ada&email=ada%40example.com");

    const requestId = response.headers["x-request-id"];
    expect(requestId).toMatch(uuidPattern);
    const requestLines = testApp.logs.lines.filter((line) => line.reqId !== undefined);
    expect(requestLines.map((line) => line.msg)).toEqual(["Stored a new subscriber", "Request completed"]);
    for (const line of requestLines) {
      expect(line.reqId).toBe(requestId);
    }
  });

  it("writes one access line with method, URL and status", async () => {
    testApp = await spawnApp();

    await testApp.app.inject({ method: "GET", url: "/no-such-page" });

    const requestLines = testApp.logs.lines.filter((line) => line.reqId !== undefined);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ level: 30, msg: "Request completed", method: "GET", path: "/no-such-page", statusCode: 404 });
    expect(requestLines[0]?.responseTime).toEqual(expect.any(Number));
  });

  it("keeps the query string out of the access line", async () => {
    testApp = await spawnApp();

    await testApp.app.inject({ method: "GET", url: "/no-such-page?token=query-secret" });

    expect(testApp.logs.raw.join("")).not.toContain("query-secret");
  });

  it("logs health check probes at debug only", async () => {
    testApp = await spawnApp();

    await testApp.app.inject({ method: "GET", url: "/health_check" });
    await testApp.app.inject({ method: "GET", url: "/health_check?probe=1" });

    expect(testApp.logs.lines.filter((line) => line.reqId !== undefined)).toEqual([]);
  });

  it("gives each request its own id", async () => {
    testApp = await spawnApp();

    const first = await testApp.app.inject({ method: "GET", url: "/health_check" });
    const second = await testApp.app.inject({ method: "GET", url: "/health_check" });

    expect(first.headers["x-request-id"]).not.toBe(second.headers["x-request-id"]);
  });

  it("ignores a request id sent by the client", async () => {
    testApp = await spawnApp();

    const response = await testApp.app.inject({
      method: "GET",
      url: "/health_check",
      headers: { "x-request-id": "forged-id", "request-id": "forged-id" },
    });

    expect(response.headers["x-request-id"]).toMatch(uuidPattern);
    expect(testApp.logs.raw.join("")).not.toContain("forged-id");
  });

  it("logs one error line with err for a failed request", async () => {
    testApp = await spawnApp({ database: { port: await findFreePort() } });

    const response = await postSubscription(testApp.app, "name=Ada&email=ada%40example.com");

    const errorLines = testApp.logs.lines.filter((line) => line.level >= 50);
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]?.reqId).toBe(response.headers["x-request-id"]);
    expect(errorLines[0]?.err?.message).toContain("ECONNREFUSED");
    expect(errorLines[0]?.err?.stack).toContain("SubscribeError");
  });

  it("never logs the database password", async () => {
    const password = inject("postgres").password;
    testApp = await spawnApp();
    const unreachable = await spawnApp({ database: { port: await findFreePort() } });
    const wrongPassword = await spawnApp({ database: { password: `${password}-wrong` } });

    try {
      for (const app of [testApp, unreachable, wrongPassword]) {
        await postSubscription(app.app, "name=Ada&email=ada%40example.com");
        await postSubscription(app.app, "name=&email=nope");
        await app.app.inject({ method: "GET", url: "/health_check" });
      }

      const failures = [...unreachable.logs.lines, ...wrongPassword.logs.lines].filter((line) => line.level >= 50);
      expect(failures).toHaveLength(2);
      for (const app of [testApp, unreachable, wrongPassword]) {
        expect(app.logs.raw.length).toBeGreaterThan(0);
        for (const line of app.logs.raw) {
          expect(line).not.toContain(password);
        }
      }
    } finally {
      await unreachable.cleanup();
      await wrongPassword.cleanup();
    }
  });

  it("never logs the request body", async () => {
    testApp = await spawnApp();
    const name = "Distinctive Subscriber Name";
    const email = "distinctive.address@example.com";
    const body = new URLSearchParams({ name, email }).toString();

    await postSubscription(testApp.app, body);
    await postSubscription(testApp.app, `${body}&name=again`);

    for (const line of testApp.logs.raw) {
      expect(line).not.toContain("Distinctive");
      expect(line).not.toContain("distinctive");
    }
  });
});
