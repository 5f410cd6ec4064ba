import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.ts";
import { PostgresCluster } from "./postgres-cluster.ts";
import { ServiceProcess } from "./service-process.ts";
import { SubscriptionLoad, tally } from "./subscription-load.ts";

const gracePeriodMs = 5_000;
const insertDelaySeconds = 0.3;

describe("SIGTERM under load", () => {
  let cluster: PostgresCluster;
  let service: ServiceProcess;

  beforeAll(async () => {
    cluster = await PostgresCluster.startMigrated();
    // Every insert takes a while, so that requests are in flight when SIGTERM arrives.
    await cluster.query(`
      CREATE FUNCTION delay_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_sleep(${insertDelaySeconds});
        RETURN NEW;
      END $$;
      CREATE TRIGGER delay_insert BEFORE INSERT ON subscriptions FOR EACH ROW EXECUTE FUNCTION delay_insert();
    `);
    // PostgreSQL logs "unexpected EOF on client connection" at DEBUG1 when a client
    // disappears without ending its session, which is what an unclosed pool does on exit.
    await cluster.query("ALTER ROLE newsletter SET log_min_messages = 'debug1'");
    service = await ServiceProcess.start({
      env: {
        ...cluster.serviceEnv(),
        APP_APPLICATION__SHUTDOWN_GRACE_PERIOD_MS: String(gracePeriodMs),
        APP_DATABASE__POOL_MAX: "10",
      },
    });
  });

  afterAll(async () => {
    await service?.stop();
    await cluster?.destroy();
  });

  it("finishes requests in flight and exits 0", async () => {
    const load = new SubscriptionLoad({
      baseUrl: service.url,
      concurrency: 20,
      maxRequests: 2_000,
      maxDurationMs: 10_000,
      requestTimeoutMs: gracePeriodMs + 2_000,
    });
    await sleep(1_000);

    // No request starts after this point. A request that races SIGTERM on an idle
    // keep-alive connection may legitimately be cut, so the last ones get 50 ms to
    // reach the server before the signal.
    const loadFinished = load.stop();
    await sleep(50);
    const signalledAt = performance.now();
    const signalledAtEpoch = Date.now();
    service.signal("SIGTERM");

    await waitFor("the service to log that it shuts down", () => (service.output().includes("Shutting down") ? true : undefined));
    const newConnection = await tryConnect(service.port);
    const refusedAt = performance.now();
    const outcomes = await loadFinished;
    const exit = await service.exited;

    const context = `outcomes ${JSON.stringify(tally(outcomes))}; service log:\n${service.output()}`;
    const inFlight = outcomes.filter((outcome) => outcome.startedAt < signalledAt && outcome.finishedAt > signalledAt);
    expect(inFlight.length, context).toBeGreaterThanOrEqual(5);
    expect(outcomes.filter((outcome) => outcome.status !== 200), context).toEqual([]);
    expect(newConnection, context).toBe("ECONNREFUSED");
    expect(outcomes.some((outcome) => outcome.finishedAt > refusedAt), "some requests were still in flight when a new connection was refused").toBe(true);
    expect(exit.code, context).toBe(0);
    expect(exit.at - signalledAtEpoch, context).toBeLessThanOrEqual(gracePeriodMs);
    expect(service.output()).toContain("Server stopped");

    const accepted = outcomes.map((outcome) => outcome.email);
    const stored = await cluster.query<{ email: string }>("SELECT email FROM subscriptions WHERE email = ANY($1)", [accepted]);
    expect(stored.length).toBe(accepted.length);

    // The server's log arrives through a pipe, so give its last lines a moment.
    await sleep(200);
    const unclosedSessions = cluster.log.filter((line) => line.includes("unexpected EOF on client connection"));
    expect(unclosedSessions, "database sessions left open when the process exited").toEqual([]);
  }, 20_000);
});

// Returns "connected" or the error code of a new TCP connection to the port.
async function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
