import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.ts";
import { PostgresCluster } from "./postgres-cluster.ts";
import { ServiceProcess } from "./service-process.ts";
import { postSubscription, tally, type Outcome } from "./subscription-load.ts";

const statementTimeoutMs = 500;
const poolMax = 4;
// The service's client-side query timeout is statement_timeout plus 1 s; a 503 later than
// that means nothing cancelled the statement. The extra 500 ms is scheduling slack.
const maxTimeoutLatencyMs = statementTimeoutMs + 1_000 + 500;

describe("slow database", () => {
  let cluster: PostgresCluster;
  let service: ServiceProcess;
  let target: { baseUrl: string; requestTimeoutMs: number };
  let counter = 0;

  beforeAll(async () => {
    cluster = await PostgresCluster.startMigrated();
    // Inserts of a subscriber named "Slow ..." sleep far longer than the statement timeout.
    await cluster.query(`
      CREATE FUNCTION sleep_for_slow_names() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.name LIKE 'Slow%' THEN
          PERFORM pg_sleep(30);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER sleep_for_slow_names BEFORE INSERT ON subscriptions
        FOR EACH ROW EXECUTE FUNCTION sleep_for_slow_names();
    `);
    service = await ServiceProcess.start({
      env: {
        ...cluster.serviceEnv(),
        APP_DATABASE__STATEMENT_TIMEOUT_MS: String(statementTimeoutMs),
        APP_DATABASE__POOL_MAX: String(poolMax),
        APP_APPLICATION__LOG_LEVEL: "warn",
      },
    });
    target = { baseUrl: service.url, requestTimeoutMs: 10_000 };
  });

  afterAll(async () => {
    await service?.stop();
    await cluster?.destroy();
  });

  function subscribe(name: string): Promise<Outcome> {
    counter += 1;
    return postSubscription(target, name, `slow-test-${counter}@example.com`);
  }

  function latency(outcome: Outcome): number {
    return outcome.finishedAt - outcome.startedAt;
  }

  async function expectNormalRequestsServed(): Promise<void> {
    const normal = await Promise.all(Array.from({ length: poolMax * 2 }, () => subscribe("Quick Responder")));
    expect(tally(normal)).toEqual({ "200": poolMax * 2 });
    for (const outcome of normal) {
      expect(latency(outcome)).toBeLessThan(statementTimeoutMs);
    }
  }

  it("returns 503 after the statement timeout", async () => {
    const slow = await subscribe("Slow Sleeper");

    expect(slow.status, service.output()).toBe(503);
    expect(latency(slow)).toBeGreaterThanOrEqual(statementTimeoutMs - 20);
    expect(latency(slow)).toBeLessThanOrEqual(maxTimeoutLatencyMs);
    const stored = await cluster.query("SELECT 1 FROM subscriptions WHERE email = $1", [slow.email]);
    expect(stored).toEqual([]);
    await expectNormalRequestsServed();
  });

  it("recovers after every pooled connection times out", async () => {
    const slow = await Promise.all(Array.from({ length: poolMax }, () => subscribe("Slow Sleeper")));

    expect(tally(slow), service.output()).toEqual({ "503": poolMax });
    for (const outcome of slow) {
      expect(latency(outcome)).toBeLessThanOrEqual(maxTimeoutLatencyMs);
    }
    // The server cancelled the statements, so no session is still asleep.
    const sleeping = await cluster.query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'INSERT INTO subscriptions%' AND state = 'active'");
    expect(sleeping).toEqual([]);
    await expectNormalRequestsServed();
  });

  it("returns 503 while a lock is held", async () => {
    const locker = new pg.Client(cluster.connectionConfig("superuser"));
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE subscriptions IN ACCESS EXCLUSIVE MODE");

      const blocked = await subscribe("Patient Waiter");

      expect(blocked.status, service.output()).toBe(503);
      expect(latency(blocked)).toBeGreaterThanOrEqual(statementTimeoutMs - 20);
      expect(latency(blocked)).toBeLessThanOrEqual(maxTimeoutLatencyMs);
      await locker.query("COMMIT");
    } finally {
      await locker.end();
    }

    const afterRelease = await waitFor("a subscription to be accepted after the lock is released", async () => {
      const outcome = await subscribe("Patient Waiter");
      return outcome.status === 200 ? outcome : undefined;
    });
    expect(latency(afterRelease)).toBeLessThan(statementTimeoutMs);
    await expectNormalRequestsServed();
  });
});
