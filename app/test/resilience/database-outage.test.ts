import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCluster } from "./postgres-cluster.ts";
import { ServiceProcess } from "./service-process.ts";
import { SubscriptionLoad, tally } from "./subscription-load.ts";

const connectTimeoutMs = 500;
const statementTimeoutMs = 1_000;
// The slowest a 503 may be: the longer of the two timeouts, plus scheduling slack on 2 busy cores.
const maxFailureLatencyMs = Math.max(connectTimeoutMs, statementTimeoutMs) + 1_000;
const recoveryLimitMs = 2_000;

describe("database outage under load", () => {
  let cluster: PostgresCluster;
  let service: ServiceProcess;

  beforeAll(async () => {
    cluster = await PostgresCluster.startMigrated();
    service = await ServiceProcess.start({
      env: {
        ...cluster.serviceEnv(),
        APP_DATABASE__CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
        APP_DATABASE__STATEMENT_TIMEOUT_MS: String(statementTimeoutMs),
        APP_APPLICATION__LOG_LEVEL: "warn",
      },
    });
  });

  afterAll(async () => {
    await service?.stop();
    await cluster?.destroy();
  });

  it("returns 503 while down and 200 after", async () => {
    const load = new SubscriptionLoad({
      baseUrl: service.url,
      concurrency: 20,
      maxRequests: 20_000,
      maxDurationMs: 12_000,
      requestTimeoutMs: 5_000,
    });

    await sleep(1_000);
    const stoppingAt = performance.now();
    await cluster.stop();
    await sleep(2_000);
    await cluster.start();
    const backAt = performance.now();
    await sleep(recoveryLimitMs + 1_500);
    const outcomes = await load.stop();

    const counts = tally(outcomes);
    const failures = outcomes.filter((outcome) => outcome.status !== 200);
    const slowestFailure = Math.max(0, ...failures.map((outcome) => outcome.finishedAt - outcome.startedAt));
    const firstSuccessAfterReturn = Math.min(
      ...outcomes.filter((outcome) => outcome.status === 200 && outcome.startedAt >= backAt).map((outcome) => outcome.finishedAt),
    );
    const lateFailures = failures.filter((outcome) => outcome.startedAt >= backAt + recoveryLimitMs);
    const failuresBeforeOutage = failures.filter((outcome) => outcome.finishedAt < stoppingAt);
    const context = `outcomes ${JSON.stringify(counts)}; service log:\n${service.output()}`;

    expect(Object.keys(counts).sort(), context).toEqual(["200", "503"]);
    expect(failuresBeforeOutage, context).toEqual([]);
    expect(slowestFailure, context).toBeLessThanOrEqual(maxFailureLatencyMs);
    expect(firstSuccessAfterReturn - backAt, context).toBeLessThanOrEqual(recoveryLimitMs);
    expect(lateFailures, context).toEqual([]);
    expect(service.exitStatus, context).toBeUndefined();
    expect((await fetch(`${service.url}/health_check`)).status).toBe(200);

    const accepted = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.email);
    const stored = await cluster.query<{ email: string; copies: number }>(
      "SELECT email, count(*)::int AS copies FROM subscriptions WHERE email = ANY($1) GROUP BY email",
      [accepted],
    );
    const storedOnce = new Set(stored.filter((row) => row.copies === 1).map((row) => row.email));
    expect(accepted.filter((email) => !storedOnce.has(email))).toEqual([]);
  }, 20_000);
});
