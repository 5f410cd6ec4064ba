import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.ts";
import { PostgresCluster } from "./postgres-cluster.ts";
import { ServiceProcess } from "./service-process.ts";
import { postSubscription, tally, type Outcome } from "./subscription-load.ts";

const connectTimeoutMs = 500;

describe("database not up when the service starts", () => {
  let cluster: PostgresCluster;
  let service: ServiceProcess;

  beforeAll(async () => {
    // Initialised but not started: nothing listens on its port yet.
    cluster = await PostgresCluster.initialise();
  });

  afterAll(async () => {
    await service?.stop();
    await cluster?.destroy();
  });

  it("returns 503, then 200 once the database is up", async () => {
    service = await ServiceProcess.start({
      env: { ...cluster.serviceEnv(), APP_DATABASE__CONNECT_TIMEOUT_MS: String(connectTimeoutMs) },
    });
    const target = { baseUrl: service.url, requestTimeoutMs: 5_000 };

    const health = await fetch(`${service.url}/health_check`);
    const whileDown: Outcome[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      whileDown.push(await postSubscription(target, "Early Bird", `early-${attempt}@example.com`));
    }

    await cluster.start();
    await cluster.prepareServiceDatabase();
    const upAt = performance.now();
    const afterStart: Outcome[] = [];
    const accepted = await waitFor(
      "a subscription to be accepted",
      async () => {
        const outcome = await postSubscription(target, "On Time", `on-time-${afterStart.length}@example.com`);
        afterStart.push(outcome);
        return outcome.status === 200 ? outcome : undefined;
      },
      5_000,
    );

    const context = `while down ${JSON.stringify(tally(whileDown))}, after start ${JSON.stringify(tally(afterStart))}; service log:\n${service.output()}`;
    expect(health.status, context).toBe(200);
    expect(whileDown.map((outcome) => outcome.status), context).toEqual([503, 503, 503, 503, 503]);
    for (const outcome of whileDown) {
      expect(outcome.finishedAt - outcome.startedAt, context).toBeLessThanOrEqual(connectTimeoutMs + 500);
    }
    expect(afterStart.filter((outcome) => outcome.status !== 200 && outcome.status !== 503), context).toEqual([]);
    expect(accepted.finishedAt - upAt, context).toBeLessThanOrEqual(2_000);

    const stored = await cluster.query<{ email: string }>("SELECT email FROM subscriptions");
    expect(stored).toEqual([{ email: accepted.email }]);
  }, 20_000);
});
