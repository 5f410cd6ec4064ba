import { createServer, type AddressInfo, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, inject, it } from "vitest";
import { findFreePort } from "./support/free-port.ts";
import { postSubscription, spawnApp, type TestApp } from "./support/spawn-app.ts";
import { TcpProxy } from "./support/tcp-proxy.ts";

const validForm = "name=Ada&email=ada%40example.com";
const unavailableMessage = "The service is temporarily unavailable. Try again later.";

describe("POST /subscriptions when the database fails", () => {
  let testApp: TestApp | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
    // Ends any transaction a test left open, so the app can close its pool.
    await testApp?.db.query("ROLLBACK").catch(() => undefined);
    await testApp?.cleanup();
    testApp = undefined;
  });

  // Holds an exclusive lock on subscriptions, so the route's INSERT waits.
  async function lockSubscriptions(app: TestApp): Promise<void> {
    await app.db.query("BEGIN");
    await app.db.query("LOCK TABLE subscriptions IN ACCESS EXCLUSIVE MODE");
  }

  async function waitForBlockedInsert(app: TestApp): Promise<number> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      // Inside a transaction PostgreSQL keeps one snapshot of pg_stat_activity.
      await app.db.query("SELECT pg_stat_clear_snapshot()");
      const result = await app.db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO subscriptions%'`,
      );
      if (result.rows[0] !== undefined) {
        return result.rows[0].pid;
      }
      await sleep(20);
    }
    throw new Error("The app's INSERT never waited on the lock");
  }

  it("returns 503 when the database is unreachable", async () => {
    testApp = await spawnApp({ database: { port: await findFreePort() } });

    const response = await postSubscription(testApp.app, validForm);
    const health = await testApp.app.inject({ method: "GET", url: "/health_check" });

    expect(response.statusCode).toBe(503);
    expect(response.json<{ message: string }>().message).toBe(unavailableMessage);
    expect(health.statusCode).toBe(200);
  });

  it("returns 503 when connecting times out", async () => {
    // Accepts connections and never replies, like a server behind a dead link.
    const sockets = new Set<Socket>();
    const silentServer = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
    const { port } = silentServer.address() as AddressInfo;
    testApp = await spawnApp({ database: { port, connect_timeout_ms: 200 } });

    try {
      const response = await postSubscription(testApp.app, validForm);

      expect(response.statusCode).toBe(503);
      const failure = testApp.logs.lines.find((line) => line.level === 50);
      expect(failure?.err?.message).toContain("Connection terminated due to connection timeout");
    } finally {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => silentServer.close(() => resolve()));
    }
  });

  it("returns 503 until the database is back, then 200", async () => {
    const server = inject("postgres");
    proxy = new TcpProxy(await findFreePort(), server.port);
    testApp = await spawnApp({ database: { port: proxy.port } });

    const whileDown = await postSubscription(testApp.app, validForm);
    await proxy.start();
    const whenBack = await postSubscription(testApp.app, validForm);

    expect(whileDown.statusCode).toBe(503);
    expect(whenBack.statusCode).toBe(200);
    expect((await testApp.db.query("SELECT 1 FROM subscriptions")).rowCount).toBe(1);
  });

  it("keeps running when the database drops idle connections", async () => {
    const server = inject("postgres");
    proxy = new TcpProxy(await findFreePort(), server.port);
    await proxy.start();
    testApp = await spawnApp({ database: { port: proxy.port } });
    expect((await postSubscription(testApp.app, validForm)).statusCode).toBe(200);

    // The pool now has an idle connection. Cutting it makes the pool emit "error".
    await proxy.stop();
    await sleep(50);
    await proxy.start();
    const afterRestart = await postSubscription(testApp.app, "name=Bob&email=bob%40example.com");

    expect(afterRestart.statusCode).toBe(200);
    const idleErrors = testApp.logs.lines.filter((line) => line.msg.startsWith("Idle database connection failed"));
    expect(idleErrors).toHaveLength(1);
    expect(idleErrors[0]?.err?.message).toBeTruthy();
  });

  it("returns 503 when the statement timeout expires", async () => {
    testApp = await spawnApp({ database: { statement_timeout_ms: 200 } });
    await lockSubscriptions(testApp);

    const response = await postSubscription(testApp.app, validForm);

    expect(response.statusCode).toBe(503);
    const failure = testApp.logs.lines.find((line) => line.level === 50);
    expect(failure?.err?.message).toContain("statement timeout");
  });

  it("returns 503 when no pooled connection frees up in time", async () => {
    testApp = await spawnApp({ database: { pool_max: 1, connect_timeout_ms: 200 } });
    await lockSubscriptions(testApp);
    const blocked = postSubscription(testApp.app, validForm);
    await waitForBlockedInsert(testApp);

    const response = await postSubscription(testApp.app, "name=Bob&email=bob%40example.com");
    await testApp.db.query("COMMIT");

    expect(response.statusCode).toBe(503);
    expect((await blocked).statusCode).toBe(200);
    const failure = testApp.logs.lines.find((line) => line.level === 50);
    expect(failure?.err?.message).toContain("timeout exceeded when trying to connect");
  });

  it("returns 503 when the server terminates the connection", async () => {
    testApp = await spawnApp();
    await lockSubscriptions(testApp);
    const pending = postSubscription(testApp.app, validForm);
    const pid = await waitForBlockedInsert(testApp);

    await testApp.db.query("SELECT pg_terminate_backend($1)", [pid]);
    const response = await pending;

    expect(response.statusCode).toBe(503);
    const failure = testApp.logs.lines.find((line) => line.level === 50);
    expect(failure?.err?.message).toContain("terminating connection due to administrator command");
  });

  it("returns 500 without details when the query fails otherwise", async () => {
    testApp = await spawnApp();
    await testApp.db.query("DROP TABLE subscriptions");

    const response = await postSubscription(testApp.app, validForm);

    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: "Internal Server Error",
      message: "An unexpected error occurred.",
    });
    expect(response.body).not.toContain("subscriptions");
  });
});
